package io.quiver.spark;

import io.quiver.FileSource;
import io.quiver.spark.internal.FileVersions;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileRange;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;

/**
 * A {@link FileSource} over Hadoop's {@link FileSystem}: source files on any store the JVM
 * reaches ({@code s3a://}, {@code abfss://}, {@code gs://}, {@code hdfs://}, ...) with the
 * credentials and settings of the given Hadoop configuration (in Spark, the session's). The
 * version tag is the store's ETag where it has one, the modification time otherwise; the ranges of
 * one call go out as one vectored read ({@code readVectored}), which object-store connectors run
 * in parallel and merge.
 */
public final class HadoopFileSource implements FileSource {

  private final Configuration conf;

  /** A source reading with {@code conf} (kept, not copied: later changes apply). */
  public HadoopFileSource(Configuration conf) {
    this.conf = Objects.requireNonNull(conf, "conf");
  }

  /** The configuration it reads with. */
  public Configuration configuration() {
    return conf;
  }

  @Override
  public Status stat(String path) throws IOException {
    Path p = new Path(path);
    FileStatus st = p.getFileSystem(conf).getFileStatus(p);
    if (!st.isFile()) throw new IOException(path + " is not a file");
    return new Status(st.getLen(), FileVersions.of(st));
  }

  @Override
  public OpenFile open(String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    FileStatus st = fs.getFileStatus(p);
    long size = st.getLen();
    // The status just read spares object stores a second HEAD request; reads are positioned
    // (random), never a sequential stream.
    FSDataInputStream in = FutureIO.awaitFuture(fs.openFile(p).withFileStatus(st)
        .opt(Options.OpenFileOptions.FS_OPTION_OPENFILE_READ_POLICY,
            Options.OpenFileOptions.FS_OPTION_OPENFILE_READ_POLICY_RANDOM)
        .build());
    return new OpenFile() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public void readRanges(long[] offsets, long[] lengths, MemorySegment[] into) throws IOException {
        if (offsets.length == 1) {
          readOne(in, offsets[0], lengths[0], into[0]);
          return;
        }
        List<FileRange> ranges = new ArrayList<>(offsets.length);
        for (int i = 0; i < offsets.length; i++) {
          if (lengths[i] > Integer.MAX_VALUE) {
            throw new IOException(path + ": a read of " + lengths[i] + " bytes is too large");
          }
          ranges.add(FileRange.createFileRange(offsets[i], (int) lengths[i]));
        }
        in.readVectored(ranges, ByteBuffer::allocate);
        for (int i = 0; i < ranges.size(); i++) {
          ByteBuffer data = await(ranges.get(i).getData(), path);
          if (data.remaining() != lengths[i]) {
            throw new IOException(path + ": short read at offset " + offsets[i] + ": "
                + data.remaining() + " of " + lengths[i] + " bytes");
          }
          MemorySegment.copy(MemorySegment.ofBuffer(data), 0, into[i], 0, lengths[i]);
        }
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  private static void readOne(FSDataInputStream in, long offset, long length, MemorySegment into)
      throws IOException {
    byte[] chunk = new byte[(int) Math.min(length, 8L << 20)];
    for (long done = 0; done < length; ) {
      int n = (int) Math.min(chunk.length, length - done);
      in.readFully(offset + done, chunk, 0, n);
      MemorySegment.copy(chunk, 0, into, ValueLayout.JAVA_BYTE, done, n);
      done += n;
    }
  }

  private static ByteBuffer await(CompletableFuture<ByteBuffer> future, String path) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(path + ": interrupted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) throw io;
      throw new IOException(path + ": " + cause, cause);
    }
  }

  @Override
  public boolean remote() {
    return true;
  }
}
