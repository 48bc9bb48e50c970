package io.quiver.spark.internal;

import io.quiver.spark.UnsupportedCorpusException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.execution.datasources.CatalogFileIndex;
import org.apache.spark.sql.execution.datasources.FileIndex;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.PartitioningAwareFileIndex;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * The Parquet files a corpus consists of, sorted by path (the order fixes the files' ordinals in
 * the index), with the fingerprint the index cache key is made of.
 *
 * <p>A corpus DataFrame that is a plain Parquet scan (optionally narrowed to some of its columns)
 * is indexed in place. So is a Delta or Iceberg table's snapshot: the table and version are
 * recorded ({@link #table()}) and the rows its deletion vectors or position deletes delete are kept
 * apart ({@link #deletedRows()}), the row filter of every search. Anything else (a filter, a
 * join, an aggregate, a local collection, another format, a table format whose scan applies
 * something beyond its Parquet files) is written once to a temporary Parquet directory that lives
 * as long as the index built over it: Spark's own reading of it is what gets indexed.
 */
public final class CorpusFiles {
  private static final Logger LOG = LoggerFactory.getLogger(CorpusFiles.class);
  /** File statuses asked for at once (the remote read concurrency's default). */
  private static final int STAT_THREADS = 32;

  /** One source file with the parts of its fingerprint that Hadoop reports. */
  public record SourceFile(String path, long size, long version) {}

  private final List<SourceFile> files;
  private final Map<String, long[]> deletedRows;
  private final StructType schema;
  private final String temporaryCopy;
  private final TableSnapshot table;
  private final List<String> roots;

  private CorpusFiles(List<SourceFile> files, StructType schema, String temporaryCopy, TableSnapshot table,
      Map<String, long[]> deletedRows, List<String> roots) {
    this.roots = List.copyOf(roots);
    this.deletedRows = Map.copyOf(deletedRows);
    this.files = List.copyOf(files);
    this.schema = schema;
    this.temporaryCopy = temporaryCopy;
    this.table = table;
  }

  /** Sorted by path. */
  public List<SourceFile> files() {
    return files;
  }

  /** The files' paths: local paths, or URIs of other Hadoop filesystems. */
  public List<String> paths() {
    return files.stream().map(SourceFile::path).toList();
  }

  /** Whether every file is on this machine's disk (else the engine reads through Hadoop). */
  public boolean local() {
    return files.stream().allMatch(f -> Locations.localPath(f.path()) != null);
  }

  /** The Spark schema of the corpus as it can be projected (the columns of the files). */
  public StructType schema() {
    return schema;
  }

  /** The temporary Parquet directory the corpus was copied to, or null when indexed in place. */
  public String temporaryCopy() {
    return temporaryCopy;
  }

  /** The table snapshot whose files these are, or null for plain Parquet files. */
  public TableSnapshot table() {
    return table;
  }

  /** What the index's manifest records as its source: the table snapshot, or "" for plain files. */
  public String sourceText() {
    return table == null ? "" : table.text();
  }

  /**
   * Row positions the table's snapshot deletes (Delta deletion vectors, Iceberg position deletes),
   * by file; empty for plain files. The index covers every row of the files; these are its row
   * filter.
   */
  public Map<String, long[]> deletedRows() {
    return deletedRows;
  }

  /** The table whatever its version, or "" for plain files. */
  public String tableIdentity() {
    return table == null ? "" : table.identity();
  }

  /**
   * What stays the same as the corpus changes: the table whatever its version, or the directories
   * (or files) plain Parquet was read from, whatever files they hold now. A corpus that gained
   * files has the identity it had.
   */
  public String identity() {
    return table != null ? table.identity() : "parquet files under " + String.join(", ", roots);
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
    Scan scan = scan(corpus, neededColumns);
    SparkSession spark = corpus.sparkSession();
    if (scan.copyReason() == null) {
      return fromPaths(spark, scan.files(), schema, null, scan.table(), scan.deletedRows(), scan.roots());
    }
    String copy = temporaryRoot + "/corpus-" + UUID.randomUUID();
    LOG.warn(
        "The corpus is not a plain Parquet scan ({}); writing it once to the temporary Parquet"
            + " directory {} and indexing it there. It is removed with the index.",
        scan.copyReason(),
        copy);
    corpus.write().parquet(copy);
    return fromPaths(spark, List.of(copy), schema, copy, null, Map.of(), List.of(copy));
  }

  /** A corpus DataFrame read in place, or null when {@link #of} would copy it. */
  public static CorpusFiles inPlace(Dataset<Row> corpus) {
    Scan scan = scan(corpus, List.of());
    return scan.copyReason() != null ? null
        : fromPaths(corpus.sparkSession(), scan.files(), corpus.schema(), null, scan.table(), scan.deletedRows(),
            scan.roots());
  }

  /** A corpus given as Parquet files or directories (expanded to their .parquet files). */
  public static CorpusFiles ofPaths(SparkSession spark, List<String> paths) {
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("the corpus path list is empty");
    }
    Dataset<Row> read = spark.read().parquet(paths.toArray(String[]::new));
    return fromPaths(spark, paths, read.schema(), null, null, Map.of(), rootsOf(read));
  }

  /**
   * How a corpus DataFrame is read: in place (copyReason null), its files and, when it is a table,
   * the snapshot they come from; or copied, and why.
   *
   * @param deletedRows row positions the table deletes, by file (as {@link SourceFile#path()}
   *     names it); empty for plain files
   * @param roots what plain files were read from (directories or files, as Spark qualifies
   *     them); empty for a table
   */
  record Scan(String copyReason, List<String> files, TableSnapshot table, Map<String, long[]> deletedRows,
      List<String> roots) {
    static Scan copy(String reason) {
      return new Scan(reason, null, null, Map.of(), List.of());
    }

    static Scan inPlace(List<String> files, TableSnapshot table, Map<String, long[]> deletedRows) {
      return new Scan(null, files, table, deletedRows, List.of());
    }

    static Scan plainFiles(List<String> files, List<String> roots) {
      return new Scan(null, files, null, Map.of(), roots);
    }
  }

  /** The sorted root paths of a plain Parquet read, as its file index qualified them. */
  private static List<String> rootsOf(Dataset<Row> read) {
    LogicalPlan plan = read.queryExecution().analyzed();
    if (plan instanceof LogicalRelation lr && lr.relation() instanceof HadoopFsRelation fs) {
      return rootsOf(fs.location());
    }
    throw new IllegalStateException("a Parquet read planned as " + plan.nodeName() + ", not a file scan");
  }

  private static List<String> rootsOf(FileIndex location) {
    return JavaConverters.seqAsJavaList(location.rootPaths()).stream().map(Object::toString).sorted().toList();
  }

  private static boolean selectsColumnsOnly(Project p) {
    return JavaConverters.seqAsJavaList(p.projectList()).stream().allMatch(e -> e instanceof Attribute);
  }

  /**
   * Whether the corpus's plan reads Parquet files, a Delta table or an Iceberg table as they are:
   * what {@link #scan} may index in place. From the plan alone: nothing is listed or read.
   */
  public static boolean readsTableOrFiles(Dataset<Row> corpus) {
    LogicalPlan plan = corpus.queryExecution().analyzed();
    while (plan instanceof SubqueryAlias || plan instanceof org.apache.spark.sql.catalyst.plans.logical.View
        || plan instanceof Project p && selectsColumnsOnly(p)) {
      plan = plan.children().head();
    }
    if (plan instanceof DataSourceV2Relation v2) {
      return IcebergTables.isIceberg(v2.table());
    }
    return plan instanceof LogicalRelation lr && lr.relation() instanceof HadoopFsRelation fs
        && fs.fileFormat() instanceof ParquetFileFormat;
  }

  static Scan scan(Dataset<Row> corpus, List<String> neededColumns) {
    // A table of the V2 API (Iceberg) as the analyzer left it: the optimizer would push filters
    // into its scan, out of sight.
    LogicalPlan analyzed = corpus.queryExecution().analyzed();
    while (analyzed instanceof SubqueryAlias || analyzed instanceof Project p && selectsColumnsOnly(p)) {
      analyzed = analyzed.children().head();
    }
    if (analyzed instanceof DataSourceV2Relation v2 && IcebergTables.isIceberg(v2.table())) {
      return IcebergTables.scan(v2, corpus.sparkSession().sparkContext().hadoopConfiguration());
    }
    LogicalPlan plan = corpus.queryExecution().optimizedPlan();
    while (plan instanceof Project p) {
      for (NamedExpression e : JavaConverters.seqAsJavaList(p.projectList())) {
        if (!(e instanceof Attribute)) {
          return Scan.copy("it computes the column " + e.name());
        }
      }
      plan = p.child();
    }
    if (!(plan instanceof LogicalRelation lr)) {
      return Scan.copy("its plan is " + plan.nodeName() + ", not a file scan");
    }
    if (!(lr.relation() instanceof HadoopFsRelation fs)) {
      return Scan.copy("it reads " + lr.relation().getClass().getSimpleName() + ", not files");
    }
    if (!(fs.fileFormat() instanceof ParquetFileFormat)) {
      return Scan.copy("its files are " + fs.fileFormat() + ", not Parquet");
    }
    for (String c : neededColumns) {
      if (Schemas.indexOf(fs.partitionSchema(), c) >= 0) {
        return Scan.copy("the column " + c + " comes from the directory layout, not the files");
      }
    }
    // Listed once: for a table this is the snapshot's file list. Files on any Hadoop
    // FileSystem are indexed in place: the engine reads them through HadoopFileSource.
    List<String> files = Arrays.asList(corpus.inputFiles());
    // A table format reads Parquet files through a file index and a reader of its own, which
    // may drop rows (deletion vectors, delete files, log files) or rename columns: only
    // Spark's own listing and reader mean "every row of these files".
    FileIndex location = fs.location();
    if (DeltaTables.isDelta(location)) {
      return DeltaTables.scan(location, files, corpus.sparkSession().sparkContext().hadoopConfiguration());
    }
    if (!(location instanceof PartitioningAwareFileIndex || location instanceof CatalogFileIndex)
        || fs.fileFormat().getClass() != ParquetFileFormat.class) {
      return Scan.copy("it is read through " + location.getClass().getName() + " and "
          + fs.fileFormat().getClass().getName() + ", a table format Quiver does not index in place");
    }
    return Scan.plainFiles(files, rootsOf(location));
  }

  /**
   * A table's directory holds files its snapshot no longer has and rows its deletion vectors or
   * delete files delete; as a list of Parquet files it would serve them (the engine refuses such a
   * directory too). The table itself, read by its format, is the corpus.
   */
  private static void refuseTableDirectory(FileSystem fs, org.apache.hadoop.fs.Path dir, FileStatus[] children)
      throws IOException {
    String format = TableSnapshot.formatOf(fs, children);
    if ("delta".equals(format)) {
      throw new UnsupportedCorpusException("the corpus directory " + dir + " is a Delta table (it has a"
          + " _delta_log): its files include rows the table no longer holds. Pass the table as a"
          + " DataFrame instead, spark.read().format(\"delta\").load(\"" + dir + "\")");
    }
    if ("iceberg".equals(format)) {
      throw new UnsupportedCorpusException("the corpus directory " + dir + " is an Iceberg table"
          + " (its metadata/ holds *.metadata.json): its files include rows the table no longer"
          + " holds. Pass the table as a DataFrame read by Iceberg instead");
    }
  }

  private static CorpusFiles fromPaths(
      SparkSession spark, List<String> paths, StructType schema, String temporaryCopy, TableSnapshot table,
      Map<String, long[]> deletedRows, List<String> roots) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<SourceFile> out = new ArrayList<>();
    try {
      for (FileStatus st : statusOf(paths, conf)) {
        collect(st.getPath().getFileSystem(conf), st, out);
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
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (SourceFile sf : out) listed.add(sf.path());
    for (String f : deletedRows.keySet()) {
      if (!listed.contains(f)) {
        throw new IllegalStateException("the table deletes rows of " + f + ", which is not among its files");
      }
    }
    return new CorpusFiles(out, schema, temporaryCopy, table, deletedRows, roots);
  }

  /**
   * The status of every path, asked for at once: an object store answers each with a round trip,
   * and a corpus may have thousands of files.
   */
  private static List<FileStatus> statusOf(List<String> paths, Configuration conf) throws IOException {
    List<CompletableFuture<FileStatus>> pending = new ArrayList<>(paths.size());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(paths.size(), STAT_THREADS)), r -> {
      Thread t = new Thread(r, "quiver-corpus-stat");
      t.setDaemon(true);
      return t;
    });
    try {
      for (String p : paths) {
        pending.add(CompletableFuture.supplyAsync(() -> {
          org.apache.hadoop.fs.Path hp = new org.apache.hadoop.fs.Path(p);
          try {
            return hp.getFileSystem(conf).getFileStatus(hp);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }, pool));
      }
      List<FileStatus> out = new ArrayList<>(paths.size());
      for (CompletableFuture<FileStatus> f : pending) {
        try {
          out.add(f.join());
        } catch (CompletionException e) {
          if (e.getCause() instanceof UncheckedIOException io) throw io.getCause();
          throw e;
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void collect(FileSystem fs, FileStatus st, List<SourceFile> out) throws IOException {
    if (st.isDirectory()) {
      FileStatus[] children = fs.listStatus(st.getPath());
      refuseTableDirectory(fs, st.getPath(), children);
      for (FileStatus child : children) {
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
      out.add(new SourceFile(local, st.getLen(), FileVersions.of(st)));
    }
  }
}
