package io.quiver.testing;

import io.quiver.FileSource;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A {@link FileSource} over local files read with {@link FileChannel}, for tests and benchmarks:
 * paths are mapped to local files by {@code resolve}; every call can wait {@code delayMillis}
 * first (a store's round trip, and then it says it is remote); reads can be made to fail; bytes
 * served are counted.
 */
public final class ChannelFileSource implements FileSource {
  private final Function<String, Path> resolve;
  private final long delayMillis;
  public final AtomicLong bytes = new AtomicLong();
  public final AtomicBoolean failing = new AtomicBoolean();

  public ChannelFileSource(Function<String, Path> resolve, long delayMillis) {
    this.resolve = resolve;
    this.delayMillis = delayMillis;
  }

  private void roundTrip() throws IOException {
    if (delayMillis == 0) return;
    try {
      Thread.sleep(delayMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException();
    }
  }

  @Override
  public Status stat(String path) throws IOException {
    roundTrip();
    Path p = resolve.apply(path);
    if (!Files.exists(p)) throw new FileNotFoundException(path);
    return new Status(Files.size(p), Files.getLastModifiedTime(p).toMillis() * 1_000_000L);
  }

  @Override
  public OpenFile open(String path) throws IOException {
    roundTrip();
    FileChannel channel;
    try {
      channel = FileChannel.open(resolve.apply(path), StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new FileNotFoundException(path);
    }
    long size = channel.size();
    return new OpenFile() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public void readRanges(long[] offsets, long[] lengths, MemorySegment[] into) throws IOException {
        roundTrip();
        if (failing.get()) throw new IOException("access denied by the store");
        for (int i = 0; i < offsets.length; i++) {
          ByteBuffer buffer = into[i].asByteBuffer();
          long at = offsets[i];
          while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) throw new IOException(path + ": end of file at " + at);
            at += n;
          }
          bytes.addAndGet(lengths[i]);
        }
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  @Override
  public boolean remote() {
    return delayMillis > 0;
  }
}
