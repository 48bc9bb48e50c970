package io.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.quiver.testing.ChannelFileSource;

/**
 * An index whose source files are read through a {@link FileSource} (here one serving
 * "store://" URIs from a local directory, counting what it serves): it answers as an index over
 * the local files does, reads nothing any other way, and a failing source is a clear error.
 */
class FileSourceTest {

  @TempDir Path tmp;

  /** Serves "store://bucket/NAME" from the corpus directory. */
  private static ChannelFileSource store(Corpus corpus) {
    return new ChannelFileSource(path -> {
      if (!path.startsWith("store://bucket/")) throw new IllegalArgumentException("not a store path: " + path);
      return corpus.dataDir.resolve(path.substring("store://bucket/".length()));
    }, 0);
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
    ChannelFileSource source = store(corpus);
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
    ChannelFileSource source = store(corpus);
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
