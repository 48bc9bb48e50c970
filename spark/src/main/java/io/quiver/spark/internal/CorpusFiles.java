package io.quiver.spark.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * The Parquet files a corpus consists of, sorted by path (the order fixes the files' ordinals in
 * the index), with the fingerprint the index cache key is made of.
 *
 * <p>A corpus DataFrame that is a plain Parquet scan (optionally narrowed to some of its columns)
 * is indexed in place. Anything else (a filter, a join, an aggregate, a local collection, another
 * format) does not correspond to whole files, so it is written once to a temporary Parquet
 * directory that lives as long as the index built over it.
 */
public final class CorpusFiles {
  private static final Logger LOG = LoggerFactory.getLogger(CorpusFiles.class);

  /** One source file with the parts of its fingerprint that Hadoop reports. */
  public record SourceFile(String path, long size, long mtimeMillis) {}

  private final List<SourceFile> files;
  private final StructType schema;
  private final String temporaryCopy;

  private CorpusFiles(List<SourceFile> files, StructType schema, String temporaryCopy) {
    this.files = List.copyOf(files);
    this.schema = schema;
    this.temporaryCopy = temporaryCopy;
  }

  /** Sorted by path. */
  public List<SourceFile> files() {
    return files;
  }

  public List<Path> localPaths() {
    return files.stream().map(f -> Path.of(f.path())).toList();
  }

  /** The Spark schema of the corpus as it can be projected (the columns of the files). */
  public StructType schema() {
    return schema;
  }

  /** The temporary Parquet directory the corpus was copied to, or null when indexed in place. */
  public String temporaryCopy() {
    return temporaryCopy;
  }

  /**
   * Resolves a corpus DataFrame. {@code neededColumns} are the columns the index and the join
   * read from the files (the vector column and the projected ones).
   *
   * @param temporaryRoot where a copy goes when the DataFrame is not a plain Parquet scan
   */
  public static CorpusFiles of(Dataset<Row> corpus, List<String> neededColumns, String temporaryRoot) {
    StructType schema = corpus.schema();
    for (String c : neededColumns) {
      Schemas.fieldIndex(schema, c, "the corpus");
    }
    String reason = whyNotInPlace(corpus, neededColumns);
    SparkSession spark = corpus.sparkSession();
    if (reason == null) {
      return fromPaths(spark, Arrays.asList(corpus.inputFiles()), schema, null);
    }
    String copy = temporaryRoot + "/corpus-" + UUID.randomUUID();
    LOG.warn(
        "The corpus is not a plain Parquet scan ({}); writing it once to the temporary Parquet"
            + " directory {} and indexing it there. It is removed with the index.",
        reason,
        copy);
    corpus.write().parquet(copy);
    return fromPaths(spark, List.of(copy), schema, copy);
  }

  /** A corpus given as Parquet files or directories (expanded to their .parquet files). */
  public static CorpusFiles ofPaths(SparkSession spark, List<String> paths) {
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("the corpus path list is empty");
    }
    StructType schema = spark.read().parquet(paths.toArray(String[]::new)).schema();
    return fromPaths(spark, paths, schema, null);
  }

  /** Null when the DataFrame reads whole Parquet files unchanged; otherwise why not. */
  static String whyNotInPlace(Dataset<Row> corpus, List<String> neededColumns) {
    LogicalPlan plan = corpus.queryExecution().optimizedPlan();
    while (plan instanceof Project p) {
      for (NamedExpression e : JavaConverters.seqAsJavaList(p.projectList())) {
        if (!(e instanceof Attribute)) {
          return "it computes the column " + e.name();
        }
      }
      plan = p.child();
    }
    if (!(plan instanceof LogicalRelation lr)) {
      return "its plan is " + plan.nodeName() + ", not a file scan";
    }
    if (!(lr.relation() instanceof HadoopFsRelation fs)) {
      return "it reads " + lr.relation().getClass().getSimpleName() + ", not files";
    }
    if (!(fs.fileFormat() instanceof ParquetFileFormat)) {
      return "its files are " + fs.fileFormat() + ", not Parquet";
    }
    for (String c : neededColumns) {
      if (Schemas.indexOf(fs.partitionSchema(), c) >= 0) {
        return "the column " + c + " comes from the directory layout, not the files";
      }
    }
    for (String f : corpus.inputFiles()) {
      String scheme = URI.create(f).getScheme();
      if (scheme != null && !scheme.equals("file")) {
        return "its file " + f + " is not on the local filesystem";
      }
    }
    return null;
  }

  private static CorpusFiles fromPaths(
      SparkSession spark, List<String> paths, StructType schema, String temporaryCopy) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<SourceFile> out = new ArrayList<>();
    try {
      for (String p : paths) {
        org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(p);
        FileSystem fs = hp.getFileSystem(conf);
        if (!fs.getScheme().equals("file")) {
          throw new IllegalArgumentException(
              "Quiver reads corpus files from the local filesystem; " + p + " is on " + fs.getScheme());
        }
        collect(fs, fs.getFileStatus(hp), out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the corpus files: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("the corpus has no Parquet files: " + paths);
    }
    out.sort((a, b) -> a.path().compareTo(b.path()));
    for (int i = 1; i < out.size(); i++) {
      if (out.get(i).path().equals(out.get(i - 1).path())) {
        throw new IllegalArgumentException("the corpus lists the file " + out.get(i).path() + " twice");
      }
    }
    return new CorpusFiles(out, schema, temporaryCopy);
  }

  private static void collect(FileSystem fs, FileStatus st, List<SourceFile> out) throws IOException {
    if (st.isDirectory()) {
      for (FileStatus child : fs.listStatus(st.getPath())) {
        String name = child.getPath().getName();
        // Spark's and Hadoop's bookkeeping files (_SUCCESS, .crc, _temporary) are not data.
        if (name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        if (child.isDirectory() || name.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
          collect(fs, child, out);
        }
      }
    } else {
      String local = Locations.normalizeLocalFile(st.getPath().toString());
      out.add(new SourceFile(local, st.getLen(), st.getModificationTime()));
    }
  }
}
