package io.quiver.spark.internal;

/**
 * The {@code spark.quiver.*} settings, in one place with their meaning and defaults. Set them as
 * any Spark setting ({@code --conf}, {@code SparkSession.builder().config}, or at run time with
 * {@code spark.conf().set} for the index and temporary directories).
 */
public final class QuiverConf {
  private QuiverConf() {}

  /**
   * A Hadoop filesystem directory for cached indexes that outlive the application: later
   * applications find an index there by its corpus (the table, or the directories its files are
   * read from) and parameters, and append the files the corpus gained since. Default: unset
   * (indexes are temporary).
   */
  public static final String INDEX_DIR = "spark.quiver.index.dir";

  /**
   * A directory for temporary indexes and corpus copies, removed at application end. Default:
   * the first of spark.local.dir (or java.io.tmpdir).
   */
  public static final String TEMP_DIR = "spark.quiver.temp.dir";

  /**
   * Bytes of decoded vector pages (refinement) and fetched column chunks (fetch) each open index
   * may keep, for every handle the application opens, on the driver and the executors; a Spark size
   * such as {@code 6g}, 0 for none. Searches stay in memory when it holds the vector column
   * (rows x dim x 4 bytes).
   */
  public static final String CACHE_BUDGET = "spark.quiver.cache.budget";

  /**
   * From this many corpus rows on, an index the join or {@code QuiverSession} builds on a cluster
   * (not in local mode) is built across it: the driver samples with Spark and trains, the
   * executors encode groups of files into segments, the driver commits them (as {@code QuiverSpark.build} always
   * does). 0: every build on a cluster; a negative value: never. Default {@value
   * #DEFAULT_DISTRIBUTED_BUILD_MIN_ROWS}.
   */
  public static final String DISTRIBUTED_BUILD_MIN_ROWS = "spark.quiver.build.distributedMinRows";

  public static final long DEFAULT_DISTRIBUTED_BUILD_MIN_ROWS = 10_000_000L;

  /** {@link #CACHE_BUDGET} unless set: quiver.h's QV_DEFAULT_CACHE_BUDGET_BYTES. */
  public static final long DEFAULT_CACHE_BUDGET_BYTES = io.quiver.QuiverIndex.DEFAULT_CACHE_BUDGET_BYTES;
}
