package io.quiver.spark.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Servers started as processes of their own (a standalone cluster's master and workers, the test
 * servers): ports, JVM command lines, readiness.
 */
public final class Processes {
  private Processes() {}

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A command starting this JVM's java with its module and native-access flags. */
  public static List<String> java() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags());
    return cmd;
  }

  /** The module and native-access flags this JVM runs with (the pom's quiver.jvm.flags). */
  public static List<String> jvmFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("--enable-native-access")
            || a.startsWith("--sun-misc-unsafe"))
        .toList();
  }

  /** Waits until {@code process} listens on {@code port}; {@code log} is named when it does not. */
  public static void awaitPort(int port, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException("the server exited: see " + log);
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("the server did not listen on " + port + " within 120 s: see " + log);
  }

  public static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
  }
}
