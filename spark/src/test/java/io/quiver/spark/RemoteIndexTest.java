package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An index on a Hadoop filesystem that is not the local disk: uploaded once, copied by executors, joined. */
class RemoteIndexTest {
  @TempDir Path dir;

  @Test
  void anIndexOnAnotherFilesystemIsUploadedAndCopiedToLocalDisk() throws Exception {
    SparkSession spark = SharedSpark.session();
    spark.sparkContext().hadoopConfiguration().set("fs." + ElsewhereFileSystem.SCHEME + ".impl",
        ElsewhereFileSystem.class.getName());
    Dataset<Row> corpus = TestData.writeCorpus(spark, dir.resolve("corpus").toString(), 200, 2, 41, 0);
    Dataset<Row> left = TestData.queries(spark, 12, 42, 0);
    KnnJoinOptions options = KnnJoinOptions.defaults()
        .buildParams(BuildParams.builder().nlist(4).build()).nprobes(4).refineFactor(100).columns("id");

    Path remote = dir.resolve("remote-index");
    List<Row> viaRemote = QuiverSpark.kNearestJoin(left, "q", corpus, "embedding", 3,
        options.indexLocation(ElsewhereFileSystem.SCHEME + "://" + remote)).collectAsList();
    assertTrue(Files.isDirectory(remote), "the index was not uploaded");
    try (Stream<Path> copies = Files.list(Path.of(SparkFiles.getRootDirectory()))) {
      assertTrue(copies.anyMatch(p -> p.getFileName().toString().startsWith("quiver-index-")),
          "no local copy of the index");
    }

    List<Row> want = BruteForce.join(left, corpus, 3, Metric.L2).collectAsList();
    assertEquals(BruteForce.ids(want), BruteForce.ids(viaRemote));
  }
}
