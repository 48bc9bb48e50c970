package io.quiver.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a server on localhost that holds every client write for a fixed delay
 * before passing it on, so that each request pays that much more round trip, as a store across a
 * network would; and counts what crosses it: HTTP requests (a request line at the start of a
 * client write) and bytes each way.
 */
final class DelayProxy implements AutoCloseable {
  private static final String[] METHODS = {"GET ", "HEAD ", "PUT ", "POST ", "DELETE "};

  private final ServerSocket listener;
  private final int upstreamPort;
  private final long delayNanos;
  final AtomicLong requests = new AtomicLong();
  final AtomicLong bytesToServer = new AtomicLong();
  final AtomicLong bytesToClient = new AtomicLong();

  DelayProxy(int upstreamPort, long delayMillis) throws IOException {
    this.listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    this.upstreamPort = upstreamPort;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
    daemon("delay-proxy-accept", this::accept).start();
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        BlockingQueue<Chunk> held = new LinkedBlockingQueue<>();
        daemon("delay-proxy-up", () -> readClient(client, server, held)).start();
        daemon("delay-proxy-hold", () -> release(held, server, client)).start();
        daemon("delay-proxy-down", () -> pump(server, client)).start();
      } catch (IOException e) {
        if (!listener.isClosed()) System.err.println("[delay-proxy] " + e);
      }
    }
  }

  private record Chunk(long due, byte[] data) {}

  private void readClient(Socket client, Socket server, BlockingQueue<Chunk> held) {
    byte[] buf = new byte[1 << 16];
    try (InputStream in = client.getInputStream()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        if (startsRequest(buf, n)) requests.incrementAndGet();
        bytesToServer.addAndGet(n);
        held.add(new Chunk(System.nanoTime() + delayNanos, java.util.Arrays.copyOf(buf, n)));
      }
    } catch (IOException closed) {
      // the client or the proxy went away
    }
    held.add(new Chunk(0, null));
  }

  private static void release(BlockingQueue<Chunk> held, Socket server, Socket client) {
    try (OutputStream out = server.getOutputStream()) {
      for (Chunk c; (c = held.take()).data() != null; ) {
        long wait = c.due() - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
        out.write(c.data());
      }
    } catch (IOException | InterruptedException closed) {
      // the server went away
    } finally {
      closeQuietly(server);
      closeQuietly(client);
    }
  }

  private void pump(Socket server, Socket client) {
    byte[] buf = new byte[1 << 16];
    try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        bytesToClient.addAndGet(n);
        out.write(buf, 0, n);
      }
    } catch (IOException closed) {
      // either side went away
    } finally {
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  private static boolean startsRequest(byte[] buf, int n) {
    String head = new String(buf, 0, Math.min(n, 7), StandardCharsets.US_ASCII);
    for (String m : METHODS) {
      if (head.startsWith(m)) return true;
    }
    return false;
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
