package io.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index whose source files are read through a {@link FileSource} (here one serving
 * "store://" URIs from a local directory, counting what it serves): it answers as an index over
 * the local files does, reads nothing any other way, and a failing source is a clear error.
 */
class FileSourceTest {

  @TempDir Path tmp;

  /** Serves "store://bucket/NAME" from a directory. */
  static final class StoreSource implements FileSource {
    final Path dir;
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong calls = new AtomicLong();
    final AtomicBoolean failing = new AtomicBoolean();

    StoreSource(Path dir) {
      this.dir = dir;
    }

    Path local(String path) throws IOException {
      if (!path.startsWith("store://bucket/")) throw new IOException("not a store path: " + path);
      return dir.resolve(path.substring("store://bucket/".length()));
    }

    @Override
    public Status stat(String path) throws IOException {
      Path p = local(path);
      if (!Files.exists(p)) throw new FileNotFoundException(path);
      return new Status(Files.size(p), Files.getLastModifiedTime(p).toMillis() * 1_000_000L);
    }

    @Override
    public OpenFile open(String path) throws IOException {
      FileChannel channel;
      try {
        channel = FileChannel.open(local(path), StandardOpenOption.READ);
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
          calls.incrementAndGet();
          if (failing.get()) throw new IOException("access denied by the store");
          for (int i = 0; i < offsets.length; i++) {
            ByteBuffer buffer = into[i].asByteBuffer();
            long at = offsets[i];
            while (buffer.hasRemaining()) {
              int n = channel.read(buffer, at);
              if (n < 0) throw new IOException("end of file at " + at);
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
  }

  private static List<String> uris(Corpus corpus) {
    List<String> out = new ArrayList<>();
    for (Path f : corpus.files) out.add("store://bucket/" + corpus.dataDir.relativize(f));
    return out;
  }

  private static List<Long> fetchIds(QuiverIndex index, List<RowKey> keys) throws IOException {
    List<Long> ids = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = index.fetchRows(keys, List.of("id"), allocator)) {
      while (reader.loadNextBatch()) {
        BigIntVector id = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
        for (int r = 0; r < id.getValueCount(); r++) ids.add(id.get(r));
      }
    }
    return ids;
  }

  @Test
  void answersAsTheLocalFilesAndReadsThroughTheSource() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
    StoreSource source = new StoreSource(corpus.dataDir);
    Path remoteIndex = tmp.resolve("remote-index");
    QuiverIndex.build(uris(corpus), remoteIndex, corpus.buildParams(), null, source);
    assertTrue(source.bytes.get() > 0);
    float[][] queries = Corpus.queries(10, 3);
    try (QuiverIndex local = QuiverIndex.open(corpus.indexDir);
        QuiverIndex remote = QuiverIndex.open(remoteIndex, source)) {
      assertEquals("store://bucket/part-0.parquet", remote.info().files().get(0).location());
      assertEquals("store://bucket/part-0.parquet", remote.path(0));
      long before = source.bytes.get();
      List<List<SearchResult>> want = local.searchBatch(queries, 10, Corpus.exact());
      List<List<SearchResult>> got = remote.searchBatch(queries, 10, Corpus.exact());
      List<RowKey> keys = new ArrayList<>();
      for (int q = 0; q < queries.length; q++) {
        for (int i = 0; i < 10; i++) {
          assertEquals(want.get(q).get(i).key(), got.get(q).get(i).key());
          assertEquals(want.get(q).get(i).distance(), got.get(q).get(i).distance());
          keys.add(got.get(q).get(i).key());
        }
      }
      assertEquals(fetchIds(local, keys), fetchIds(remote, keys));
      assertEquals(source.bytes.get() - before, remote.ioStats().bytesRead());
    }
  }

  @Test
  void aFailingSourceIsAnErrorNamingTheFile() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    StoreSource source = new StoreSource(corpus.dataDir);
    Path index = tmp.resolve("remote-index");
    QuiverIndex.build(uris(corpus), index, corpus.buildParams(), null, source);
    try (QuiverIndex remote = QuiverIndex.open(index, source)) {
      source.failing.set(true);
      QuiverIOException e = assertThrows(QuiverIOException.class,
          () -> remote.searchBatch(Corpus.queries(2, 1), 5, Corpus.exact()));
      assertTrue(e.getMessage().contains("store://bucket/part-"), e.getMessage());
      assertTrue(e.getMessage().contains("access denied by the store"), e.getMessage());
      source.failing.set(false);
    }
    Files.delete(corpus.files.get(1));
    StaleIndexException stale = assertThrows(StaleIndexException.class, () -> QuiverIndex.open(index, source));
    assertTrue(stale.getMessage().contains("store://bucket/part-1.parquet"), stale.getMessage());
    NotFoundException missing = assertThrows(NotFoundException.class, () -> QuiverIndex.build(
        List.of("store://bucket/none.parquet"), tmp.resolve("other"), corpus.buildParams(), null, source));
    assertTrue(missing.getMessage().contains("store://bucket/none.parquet"), missing.getMessage());
  }
}
