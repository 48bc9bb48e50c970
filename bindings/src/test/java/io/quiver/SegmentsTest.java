package io.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Append, remove and compact through the handle: each answers as brute force over the live files. */
class SegmentsTest {

  @TempDir Path tmp;

  private static List<String> paths(Path... files) {
    return java.util.Arrays.stream(files).map(Path::toString).toList();
  }

  @Test
  void appendRemoveAndCompactAnswerAsBruteForceOverTheLiveFiles() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    QuiverIndex.build(paths(corpus.files.get(0)), corpus.indexDir, corpus.buildParams(), null, null);
    QuiverIndex.append(paths(corpus.files.get(1), corpus.files.get(2)), corpus.indexDir,
        BuildParams.builder().threads(2).build(), null, null);
    float[][] queries = Corpus.queries(10, 5);
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      assertEquals(2, index.segments().size());
      assertEquals(new SegmentInfo(1, 2, Corpus.ROWS[1] + Corpus.ROWS[2] - Corpus.NULL_ROWS.size(),
          index.segments().get(1).bytes()), index.segments().get(1));
      assertEquals(3, index.info().files().size());
      assertEquals(2, index.info().formatVersion());
      for (float[] q : queries) {
        EndToEndTest.assertSameHits(corpus.bruteForce(q, 10, Set.of()), index.search(q, 10, Corpus.exact()));
      }
    }

    QuiverIndex.removeFiles(corpus.indexDir, paths(corpus.files.get(0)));
    Files.delete(corpus.files.get(0));
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      assertTrue(index.isRemoved(0));
      assertFalse(index.isRemoved(1));
      assertEquals(Corpus.ROWS[1] + Corpus.ROWS[2] - Corpus.NULL_ROWS.size(), index.info().rowsIndexed());
      Set<RowKey> fileZero = new java.util.HashSet<>();
      for (int r = 0; r < Corpus.ROWS[0]; r++) fileZero.add(new RowKey(0, r));
      for (float[] q : queries) {
        EndToEndTest.assertSameHits(corpus.bruteForce(q, 10, fileZero), index.search(q, 10, Corpus.exact()));
      }
    }
    NotFoundException e = assertThrows(NotFoundException.class,
        () -> QuiverIndex.removeFiles(corpus.indexDir, List.of(tmp.resolve("nowhere.parquet").toString())));
    assertTrue(e.getMessage().contains("nowhere.parquet"), e.getMessage());

    QuiverIndex.compact(corpus.indexDir, null);
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      assertEquals(1, index.segments().size());
      assertEquals(2, index.info().files().size());
      assertEquals(1, index.info().formatVersion());
      for (float[] q : queries) {
        // Files 1 and 2 are now 0 and 1.
        for (SearchResult r : index.search(q, 10, Corpus.exact())) {
          assertEquals(corpus.files.get(r.key().file() + 1).toAbsolutePath().toString(), r.path());
        }
      }
    }
  }

  @Test
  void anAppendOfAFileAlreadyIndexedIsRefusedAndChangesNothing() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.COSINE);
    corpus.build();
    byte[] manifest = Files.readAllBytes(corpus.indexDir.resolve("manifest.json"));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> QuiverIndex.append(paths(corpus.files.get(1)), corpus.indexDir, BuildParams.defaults(), null, null));
    assertTrue(e.getMessage().contains("already in the index"), e.getMessage());
    assertEquals(new String(manifest), Files.readString(corpus.indexDir.resolve("manifest.json")));
    assertThrows(NotFoundException.class,
        () -> QuiverIndex.append(paths(corpus.files.get(1)), tmp.resolve("none"), BuildParams.defaults(), null, null));
  }
}
