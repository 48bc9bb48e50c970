package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.spark.internal.IndexCatalog;
import io.quiver.spark.internal.Locations;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Temporary indexes go when the application ends; named ones stay. */
class LifecycleTest {
  @TempDir Path dir;

  @Test
  void applicationEndRemovesTemporaryIndexesAndKeepsNamedOnes() {
    SparkSession spark = SharedSpark.session();
    Dataset<Row> corpus = TestData.writeCorpus(spark, dir.resolve("corpus").toString(), 150, 1, 31, 0);
    QuiverSession qs = QuiverSession.of(spark);
    BuildParams params = BuildParams.builder().vectorColumn("embedding").nlist(2).build();
    CorpusIndex temporary = qs.buildIfMissing(corpus, params);
    String named = dir.resolve("named").toString();
    qs.build(corpus, params, named);
    Path root = Locations.localPath(IndexCatalog.of(spark).temporaryRoot());
    assertTrue(Files.isDirectory(Locations.localPath(temporary.location())));
    assertTrue(temporary.location().startsWith(root.toString()));

    spark.stop(); // the next test class gets a new session

    assertFalse(Files.exists(root), "the temporary directory outlived the application");
    assertTrue(Files.isDirectory(Path.of(named)), "the named index was removed");
  }
}
