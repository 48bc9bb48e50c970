package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.spark.internal.IndexCatalog;
import io.quiver.spark.internal.Locations;
import io.quiver.spark.internal.QuiverConf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporary indexes go when the application ends; named and persistent ones stay and are found
 * again, and a persistent one takes the files its corpus gained since.
 */
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

    String persistent = dir.resolve("persistent").toString();
    spark.conf().set(QuiverConf.INDEX_DIR, persistent);
    CorpusIndex cached = qs.buildIfMissing(corpus, params);
    assertTrue(cached.location().startsWith(persistent), cached.location());

    spark.stop(); // the next test class gets a new session

    assertFalse(Files.exists(root), "the temporary directory outlived the application");
    assertTrue(Files.isDirectory(Path.of(named)), "the named index was removed");
    assertTrue(Files.isDirectory(Path.of(cached.location())), "the persistent index was removed");

    // A later application with the same index directory finds the index instead of building it.
    SparkSession later = SharedSpark.session();
    later.conf().set(QuiverConf.INDEX_DIR, persistent);
    QuiverSession again = QuiverSession.of(later);
    CorpusIndex found = again.buildIfMissing(later.read().parquet(dir.resolve("corpus").toString()), params);
    assertEquals(cached.location(), found.location());
    assertEquals(0, again.builds());

    // The directory gained a file since: the index there takes it as a segment, no rebuild.
    TestData.writeCorpus(later, dir.resolve("more").toString(), 50, 1, 32, 0)
        .write().mode("append").parquet(dir.resolve("corpus").toString());
    CorpusIndex grown = again.buildIfMissing(later.read().parquet(dir.resolve("corpus").toString()), params);
    assertEquals(cached.location(), grown.location());
    assertEquals(0, again.builds());
    assertEquals(1, IndexCatalog.of(later).appends());
    later.conf().unset(QuiverConf.INDEX_DIR);
  }
}
