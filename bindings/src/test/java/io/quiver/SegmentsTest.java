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
      SegmentInfo appended = index.segments().get(1);
      assertEquals(1, appended.firstFile());
      assertEquals(2, appended.files());
      assertEquals(Corpus.ROWS[1] + Corpus.ROWS[2] - Corpus.NULL_ROWS.size(), appended.rowsIndexed());
      assertTrue(appended.meanPqError() > 0 && appended.meanCoarseError() > appended.meanPqError(), appended::toString);
      assertTrue(appended.imbalance() >= 1, appended::toString);
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
  void appendedRowsFromElsewhereAreAdvisedARetrain() throws IOException {
    Path data = java.nio.file.Files.createDirectories(tmp.resolve("drift"));
    // The build trains on 1,000 of its 4,000 rows, so its own error is mostly over rows it did not see.
    float[][] same = ParquetFixtures.clustered(8000, Corpus.DIM, 1000);
    float[][] elsewhere = ParquetFixtures.clustered(4000, Corpus.DIM, 77);
    for (float[] row : elsewhere) for (int d = 0; d < row.length; d++) row[d] = row[d] * 4 + 3;
    float[][][] parts = {java.util.Arrays.copyOfRange(same, 0, 4000), java.util.Arrays.copyOfRange(same, 4000, 8000), elsewhere};
    Path[] files = new Path[3];
    for (int f = 0; f < 3; f++) {
      files[f] = data.resolve("part-" + f + ".parquet");
      ParquetFixtures.write(files[f], parts[f], f * 4000L);
    }
    Path index = tmp.resolve("drift-index");
    BuildParams params = BuildParams.builder().nlist(16).pqM(4).trainSample(1000).threads(2).build();
    QuiverIndex.build(paths(files[0]), index, params, null, null);
    QuiverIndex.append(paths(files[1]), index, params, null, null);
    try (QuiverIndex opened = QuiverIndex.open(index)) {
      assertEquals(java.util.Optional.empty(), opened.retrainAdvice(), opened.segments()::toString);
    }
    QuiverIndex.append(paths(files[2]), index, params, null, null);
    try (QuiverIndex opened = QuiverIndex.open(index)) {
      String advice = opened.retrainAdvice().orElseThrow(() -> new AssertionError(opened.segments()));
      assertTrue(advice.contains("retrain the index"), advice);
    }

    // Retrained: one segment, quantizers trained on every row it holds now, its shape kept.
    QuiverIndex.retrain(index, 2, null, null);
    try (QuiverIndex opened = QuiverIndex.open(index)) {
      assertEquals(1, opened.segments().size());
      assertEquals(12000, opened.info().rowsIndexed());
      assertEquals(12000, opened.info().trainSample());
      assertEquals(16, opened.info().nlist());
      assertEquals(4, opened.info().pqM());
      assertEquals(java.util.Optional.empty(), opened.retrainAdvice());
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

  @Test
  void segmentsEncodedApartAndCommittedTogetherAnswerAsBruteForce() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    float[][] sample = corpus.vectors[0];
    Path trained = tmp.resolve("trained");
    QuiverIndex.train(sample, Corpus.DIM, corpus.totalRows(), corpus.buildParams(), trained, null);
    BuildParams with = BuildParams.builder().threads(2).quantizersFrom(trained).build();
    Path a = tmp.resolve("parts/a.qvs");
    Path b = tmp.resolve("parts/b.qvs");
    QuiverIndex.encodeSegment(paths(corpus.files.get(0)), 0, a, with, null, null);
    QuiverIndex.encodeSegment(paths(corpus.files.get(1), corpus.files.get(2)), 1, b, with, null, null);
    assertThrows(IllegalArgumentException.class, () -> QuiverIndex.encodeSegment(paths(corpus.files.get(0)), 0,
        tmp.resolve("parts/c.qvs"), BuildParams.defaults(), null, null));

    // Out of order: nothing is committed, not even a directory.
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> QuiverIndex.commitSegments(corpus.indexDir, trained, List.of(b, a)));
    assertTrue(e.getMessage().contains("comes next"), e.getMessage());
    assertFalse(Files.exists(corpus.indexDir.resolve("manifest.json")));

    QuiverIndex.commitSegments(corpus.indexDir, trained, List.of(a, b));
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      assertEquals(3, index.segments().size());
      assertEquals(0, index.segments().get(0).rowsIndexed());
      assertEquals(2, index.segments().get(2).files());
      assertEquals(corpus.totalRows(), index.info().rowsTotal());
      for (float[] q : Corpus.queries(10, 5)) {
        EndToEndTest.assertSameHits(corpus.bruteForce(q, 10, Set.of()), index.search(q, 10, Corpus.exact()));
      }
    }
  }
}
