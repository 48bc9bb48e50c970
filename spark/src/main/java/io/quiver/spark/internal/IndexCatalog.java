package io.quiver.spark.internal;

import io.quiver.BuildParams;
import io.quiver.CorruptIndexException;
import io.quiver.FileSource;
import io.quiver.FileInfo;
import io.quiver.IndexInfo;
import io.quiver.ProgressListener;
import io.quiver.QuiverIndex;
import io.quiver.StaleIndexException;
import io.quiver.spark.StaleCorpusException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The indexes of one Spark application, shared by the join and the driver API.
 *
 * <p>An index lives at {@code <root>/index-<identity>}, the identity being the corpus's (its table,
 * or the directories its Parquet files were read from) with the build parameters: under {@value
 * QuiverConf#INDEX_DIR} when that is set (persistent: later applications find it there, and append
 * the files the corpus gained since), otherwise under the application's temporary directory
 * (removed at application end). A location the user names is used as is and kept. Indexes over a
 * temporary copy of a corpus are temporary.
 */
public final class IndexCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(IndexCatalog.class);

  private static final Map<String, IndexCatalog> BY_APPLICATION = new HashMap<>();
  private static boolean hookInstalled;

  /** What was built or found for one corpus identity. */
  private record Entry(
      String key, String location, boolean temporary, List<CorpusFiles.SourceFile> files, String source) {}

  private final SparkContext sc;
  private final String temporaryRoot;
  /** Read from the session's configuration each time the catalog is looked up, so it can be set at runtime. */
  private volatile String persistentRoot;
  private final Map<String, Entry> byIdentity = new HashMap<>();
  private final Map<String, Entry> temporaryIndexes = new LinkedHashMap<>();
  private final List<String> temporaryCopies = new ArrayList<>();
  private final AtomicLong builds = new AtomicLong();
  private final AtomicLong appends = new AtomicLong();
  private boolean closed;

  private IndexCatalog(SparkContext sc) {
    this.sc = sc;
    String tempBase = sc.conf().getOption(QuiverConf.TEMP_DIR).getOrElse(() -> null);
    if (tempBase == null) {
      String localDirs = sc.conf().get("spark.local.dir", System.getProperty("java.io.tmpdir"));
      tempBase = localDirs.split(",")[0].trim();
    }
    this.temporaryRoot =
        tempBase.replaceAll("/+$", "") + "/quiver-" + sc.applicationId().replaceAll("[^A-Za-z0-9_.-]", "_")
            + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The catalog of the session's application, created (with its cleanup hooks) on first use. */
  public static IndexCatalog of(SparkSession spark) {
    SparkContext sc = spark.sparkContext();
    synchronized (IndexCatalog.class) {
      IndexCatalog c = BY_APPLICATION.get(sc.applicationId());
      if (c != null && !c.closed) {
        c.persistentRoot = spark.conf().get(QuiverConf.INDEX_DIR, null);
        return c;
      }
      IndexCatalog created = new IndexCatalog(sc);
      created.persistentRoot = spark.conf().get(QuiverConf.INDEX_DIR, null);
      BY_APPLICATION.put(sc.applicationId(), created);
      sc.addSparkListener(
          new SparkListener() {
            @Override
            public void onApplicationEnd(SparkListenerApplicationEnd end) {
              created.dropTemporary();
            }
          });
      if (!hookInstalled) {
        hookInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(IndexCatalog::dropAllTemporary, "quiver-cleanup"));
      }
      return created;
    }
  }

  private static void dropAllTemporary() {
    List<IndexCatalog> all;
    synchronized (IndexCatalog.class) {
      all = new ArrayList<>(BY_APPLICATION.values());
    }
    all.forEach(IndexCatalog::dropTemporary);
  }

  public String temporaryRoot() {
    return temporaryRoot;
  }

  /** Index builds this application ran (through the join or the driver API). */
  public long builds() {
    return builds.get();
  }

  /** Appends to an index this application ran instead of a build, its corpus having gained files. */
  public long appends() {
    return appends.get();
  }

  public Configuration hadoopConf() {
    return sc.hadoopConfiguration();
  }

  /** Records a temporary corpus copy, removed with the temporary indexes. */
  public synchronized void registerTemporaryCopy(String dir) {
    temporaryCopies.add(dir);
  }

  /**
   * The index of {@code corpus} with {@code params}: the cached one when it exists and is fresh,
   * otherwise a new build (always a new build when {@code force}).
   *
   * @param userLocation a directory the user named for this index, or null for the cache
   * @param failOnStale throw instead of rebuilding when the corpus changed since its index was built
   */
  public synchronized IndexRef obtain(
      CorpusFiles corpus, BuildParams params, String userLocation, boolean failOnStale, boolean force) {
    return obtain(corpus, params, userLocation, failOnStale, force, Distribution.AUTO);
  }

  /** Where a build runs: see {@link QuiverConf#DISTRIBUTED_BUILD_MIN_ROWS}. */
  public enum Distribution {
    /** Across the cluster when it is one and the corpus has enough rows; on the driver otherwise. */
    AUTO,
    /** Across the cluster's executors (local mode: its task threads). */
    ALWAYS
  }

  /** {@link #obtain(CorpusFiles, BuildParams, String, boolean, boolean)} building as {@code distribution} says. */
  public synchronized IndexRef obtain(CorpusFiles corpus, BuildParams params, String userLocation,
      boolean failOnStale, boolean force, Distribution distribution) {
    if (closed) {
      throw new IllegalStateException("the Spark application of this index catalog has ended");
    }
    String persistentRoot = this.persistentRoot;
    List<String> paramText = parameterText(params);
    // A table's version is not part of the key: a commit that leaves the files as they are (a
    // DELETE through deletion vectors, a property change) is answered by the same index, with
    // that version's deleted rows as its filter.
    String key = IndexKey.of(corpus.files(), params.vectorColumn(), paramText, corpus.tableIdentity());
    // The place is the corpus's whatever files it holds now: a corpus that gained files (in this
    // application or since an earlier one) finds its index there and appends them; one whose
    // files changed otherwise is built again there.
    String identity = IndexKey.identity(params.vectorColumn(), paramText, corpus.identity());
    boolean temporary = userLocation == null && (persistentRoot == null || corpus.temporaryCopy() != null);
    String location = userLocation != null ? userLocation
        : (temporary ? temporaryRoot : persistentRoot.replaceAll("/+$", "")) + "/index-" + identity;
    if (userLocation != null && corpus.temporaryCopy() != null) {
      LOG.warn("the index at {} is over a temporary copy of the corpus, removed at application end;"
          + " the index will be stale after that", userLocation);
    }

    Entry previous = byIdentity.get(identity);
    if (previous != null && !previous.key().equals(key)
        && (force || !onlyGained(previous.files(), corpus.files()) || !previous.location().equals(location))) {
      String changed = firstChange(previous.files(), corpus.files())
          + (corpus.table() == null ? "" : "; it was built from the " + previous.source()
              + ", the corpus is the " + corpus.sourceText());
      if (failOnStale) {
        throw new StaleCorpusException("the corpus changed since its index was built at "
            + previous.location() + ": " + changed);
      }
      LOG.info("rebuilding the index of a corpus that changed since its build ({})", changed);
      retire(previous);
    }

    if (!force) {
      IndexRef found = openExisting(location, key, corpus, params, failOnStale);
      if (found != null) {
        remember(identity, new Entry(key, location, temporary, corpus.files(), corpus.sourceText()));
        return found.answering(corpus);
      }
    }
    build(corpus, params.toBuilder().source(corpus.sourceText()).build(), location, distribution);
    Entry entry = new Entry(key, location, temporary, corpus.files(), corpus.sourceText());
    remember(identity, entry);
    return describe(location, key).answering(corpus);
  }

  /**
   * The index at {@code location}, built from a table, answering for the table's latest version
   * ({@code latest}): with that version's deleted rows when its files are the indexed ones.
   *
   * @throws StaleCorpusException when the table has other files now
   */
  public IndexRef answeringLatest(IndexRef ref, CorpusFiles latest) {
    List<String> now = latest.paths();
    if (!new java.util.HashSet<>(now).equals(new java.util.HashSet<>(ref.files()))) {
      throw new StaleCorpusException("the index at " + ref.location() + " was built from the " + ref.source()
          + "; the table is at " + latest.sourceText().replaceFirst(".* version ", "version ")
          + " with other files: " + fileSetChange(ref.files(), now)
          + ". Build it again (QuiverSession.build, or quiver build)");
    }
    return ref.answering(latest);
  }

  /** Opens an index the user points at (no cache key: identified by its location). */
  public IndexRef openLocation(String location) {
    return describe(location, "location");
  }

  private void remember(String identity, Entry entry) {
    byIdentity.put(identity, entry);
    if (entry.temporary()) {
      temporaryIndexes.put(entry.location(), entry);
    }
  }

  private IndexRef openExisting(
      String location, String key, CorpusFiles corpus, BuildParams params, boolean failOnStale) {
    if (!exists(location)) {
      return null;
    }
    IndexRef ref;
    try {
      ref = describe(location, key);
    } catch (StaleIndexException e) {
      IndexHandles.drop(location, key);
      if (failOnStale) {
        throw new StaleCorpusException("the index at " + location + " is stale: " + e.getMessage(), e);
      }
      LOG.info("rebuilding the stale index at {}: {}", location, e.getMessage());
      return null;
    } catch (CorruptIndexException e) {
      IndexHandles.drop(location, key);
      LOG.warn("rebuilding the corrupt index at {}: {}", location, e.getMessage());
      return null;
    }
    Mismatch mismatch = mismatch(location, key, corpus, params);
    if (mismatch == null) {
      return ref;
    }
    if (!mismatch.added().isEmpty()) {
      append(location, corpus, mismatch.added(), params);
      return describe(location, key);
    }
    IndexHandles.drop(location, key);
    if (failOnStale) {
      throw new StaleCorpusException("the index at " + location + " does not match the corpus: " + mismatch.reason());
    }
    LOG.info("rebuilding the index at {}, which does not match the corpus: {}", location, mismatch.reason());
    return null;
  }

  /**
   * Why the index at a location is not the index of this corpus: the reason, and the corpus files
   * it lacks when it lacks nothing else (then an append makes it the corpus's index).
   */
  private record Mismatch(String reason, List<CorpusFiles.SourceFile> added) {
    Mismatch(String reason) {
      this(reason, List.of());
    }
  }

  /** Why the index at a location is not the index of this corpus, or null. */
  private Mismatch mismatch(String location, String key, CorpusFiles corpus, BuildParams params) {
    try (IndexHandles.Lease lease = IndexHandles.acquire(location, key, hadoopConf())) {
      IndexInfo info = lease.index().info();
      if (!info.vectorColumn().equals(params.vectorColumn())) {
        return new Mismatch("it indexes the column " + info.vectorColumn() + ", not " + params.vectorColumn());
      }
      if (info.metric() != params.metric()) {
        return new Mismatch("it was built for " + info.metric() + ", not " + params.metric());
      }
      if (!TableSnapshot.identityOf(info.source()).equals(corpus.tableIdentity())) {
        return new Mismatch("it was built from " + (info.source().isEmpty() ? "plain files" : "the " + info.source())
            + ", not " + (corpus.table() == null ? "plain files" : "the " + corpus.sourceText()));
      }
      // Files as sets: an append numbers its files after the index's, wherever the corpus lists them.
      java.util.Set<String> indexed = new java.util.LinkedHashSet<>();
      for (FileInfo f : info.files()) {
        if (!lease.index().isRemoved(f.ordinal())) indexed.add(f.location());
      }
      java.util.Set<String> wanted = new java.util.LinkedHashSet<>(corpus.paths());
      if (indexed.equals(wanted)) {
        return null;
      }
      if (wanted.containsAll(indexed)) {
        return new Mismatch("the corpus has files the index does not",
            corpus.files().stream().filter(f -> !indexed.contains(f.path())).toList());
      }
      return new Mismatch("it indexes the files " + indexed + ", not " + wanted);
    }
  }

  /** Whether {@code now} holds every file of {@code before}, unchanged, and more. */
  private static boolean onlyGained(List<CorpusFiles.SourceFile> before, List<CorpusFiles.SourceFile> now) {
    return now.size() > before.size() && new java.util.HashSet<>(now).containsAll(before);
  }

  /** Appends {@code files} to the index at {@code location} as a new segment, in place. */
  private void append(String location, CorpusFiles corpus, List<CorpusFiles.SourceFile> files, BuildParams params) {
    IndexHandles.dropLocation(location);
    long start = System.nanoTime();
    List<String> paths = files.stream().map(CorpusFiles.SourceFile::path).toList();
    BuildParams appendParams = BuildParams.builder().threads(params.threads()).source(corpus.sourceText()).build();
    FileSource source = corpus.local() ? null : HadoopSources.shared(hadoopConf());
    Path local = Locations.localPath(location);
    if (local != null) {
      QuiverIndex.append(paths, local, appendParams, ProgressListener.none(), source);
    } else {
      Path staging = Path.of(System.getProperty("java.io.tmpdir"), "quiver-append-" + UUID.randomUUID());
      try {
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(location);
        remote.getFileSystem(hadoopConf()).copyToLocalFile(false, remote, new org.apache.hadoop.fs.Path(staging.toUri()), true);
        QuiverIndex.append(paths, staging, appendParams, ProgressListener.none(), source);
        upload(staging, location);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot append to the index at " + location + ": " + e.getMessage(), e);
      } finally {
        Cleanup.deleteLocalTree(staging);
      }
    }
    appends.incrementAndGet();
    LOG.info("appended {} new file(s) of the corpus to the index at {} in {} ms (a segment; no rebuild)",
        files.size(), location, (System.nanoTime() - start) / 1_000_000);
  }

  private IndexRef describe(String location, String key) {
    try (IndexHandles.Lease lease = IndexHandles.acquire(location, key, hadoopConf())) {
      IndexInfo info = lease.index().info();
      List<String> files = new ArrayList<>();
      for (FileInfo f : info.files()) {
        files.add(f.location());
      }
      return new IndexRef(location, key, info.dim(), files, info.source());
    }
  }

  private void build(CorpusFiles corpus, BuildParams params, String location, Distribution distribution) {
    IndexHandles.dropLocation(location);
    Path local = Locations.localPath(location);
    long start = System.nanoTime();
    boolean distributed = distribution == Distribution.ALWAYS || largeOnACluster(corpus);
    // The tasks of a distributed build write their parts beside the index, where every executor
    // and the driver reach them.
    String parts = (local != null ? "file:" + local : location.replaceAll("/+$", "")) + ".parts-" + UUID.randomUUID();
    if (local != null) {
      createParent(local);
      buildInto(local, corpus, params, distributed, parts);
    } else {
      Path staging = Path.of(System.getProperty("java.io.tmpdir"), "quiver-build-" + UUID.randomUUID());
      try {
        buildInto(staging, corpus, params, distributed, parts);
        upload(staging, location);
      } finally {
        Cleanup.deleteLocalTree(staging);
      }
    }
    builds.incrementAndGet();
    LOG.info("built the index of {} files at {} in {} ms{}", corpus.files().size(), location,
        (System.nanoTime() - start) / 1_000_000, distributed ? " across the cluster" : "");
  }

  private void buildInto(Path dir, CorpusFiles corpus, BuildParams params, boolean distributed, String parts) {
    if (distributed) {
      DistributedBuild.run(SparkSession.active(), corpus, params, dir, parts, sc.defaultParallelism());
    } else {
      QuiverIndex.build(corpus.paths(), dir, params, ProgressListener.none(),
          corpus.local() ? null : HadoopSources.shared(hadoopConf()));
    }
  }

  /** Whether {@link Distribution#AUTO} builds across the cluster: see {@link QuiverConf#DISTRIBUTED_BUILD_MIN_ROWS}. */
  private boolean largeOnACluster(CorpusFiles corpus) {
    long minRows = sc.conf().getLong(QuiverConf.DISTRIBUTED_BUILD_MIN_ROWS, QuiverConf.DEFAULT_DISTRIBUTED_BUILD_MIN_ROWS);
    if (sc.isLocal() || minRows < 0) {
      return false;
    }
    return minRows == 0
        || SparkSession.active().read().parquet(corpus.paths().toArray(String[]::new)).count() >= minRows;
  }

  private static void createParent(Path dir) {
    try {
      Files.createDirectories(dir.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory of the index " + dir + ": " + e.getMessage(), e);
    }
  }

  private void upload(Path staging, String location) {
    try {
      org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(location);
      FileSystem fs = target.getFileSystem(hadoopConf());
      org.apache.hadoop.fs.Path partial =
          new org.apache.hadoop.fs.Path(location + ".partial-" + UUID.randomUUID());
      fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(staging.toUri()), partial);
      fs.delete(target, true);
      if (!fs.rename(partial, target)) {
        fs.delete(partial, true);
        throw new IOException("cannot rename " + partial + " to " + target);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the index to " + location + ": " + e.getMessage(), e);
    }
  }

  private boolean exists(String location) {
    Path local = Locations.localPath(location);
    if (local != null) {
      return Files.isDirectory(local);
    }
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
      return p.getFileSystem(hadoopConf()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the index location " + location + ": " + e.getMessage(), e);
    }
  }

  private void retire(Entry e) {
    IndexHandles.drop(e.location(), e.key());
    if (e.temporary()) {
      temporaryIndexes.remove(e.location());
      Cleanup.delete(e.location(), hadoopConf());
    }
  }

  /** Removes the temporary indexes and corpus copies of this application. Idempotent. */
  public synchronized void dropTemporary() {
    for (Entry e : temporaryIndexes.values()) {
      IndexHandles.drop(e.location(), e.key());
      Cleanup.delete(e.location(), hadoopConf());
    }
    temporaryIndexes.clear();
    byIdentity.values().removeIf(Entry::temporary);
    for (String copy : temporaryCopies) {
      Cleanup.delete(copy, hadoopConf());
    }
    temporaryCopies.clear();
    Cleanup.delete(temporaryRoot, hadoopConf());
    if (sc.isStopped()) {
      closed = true;
      synchronized (IndexCatalog.class) {
        BY_APPLICATION.remove(sc.applicationId(), this);
      }
    }
  }

  /** Every build parameter that changes the index, in a fixed order (threads does not). */
  static List<String> parameterText(BuildParams p) {
    return List.of(
        "metric=" + p.metric(),
        "nlist=" + p.nlist(),
        "pq_m=" + p.pqM(),
        "pq_bits=" + p.pqBits(),
        "train_sample=" + p.trainSample(),
        "seed=" + p.seed());
  }

  private static String firstChange(List<CorpusFiles.SourceFile> before, List<CorpusFiles.SourceFile> now) {
    List<String> beforePaths = before.stream().map(CorpusFiles.SourceFile::path).toList();
    List<String> nowPaths = now.stream().map(CorpusFiles.SourceFile::path).toList();
    if (!beforePaths.equals(nowPaths)) {
      return fileSetChange(beforePaths, nowPaths);
    }
    for (int i = 0; i < Math.min(before.size(), now.size()); i++) {
      CorpusFiles.SourceFile a = before.get(i);
      CorpusFiles.SourceFile b = now.get(i);
      if (!Objects.equals(a, b)) {
        return a.path() + " changed (size " + a.size() + " -> " + b.size() + ", version "
            + a.version() + " -> " + b.version() + ")";
      }
    }
    return "the file list changed";
  }

  /** Which files left and which came, the first of each named. */
  private static String fileSetChange(List<String> before, List<String> now) {
    java.util.Set<String> nowSet = new java.util.HashSet<>(now);
    java.util.Set<String> beforeSet = new java.util.HashSet<>(before);
    List<String> removed = before.stream().filter(f -> !nowSet.contains(f)).toList();
    List<String> added = now.stream().filter(f -> !beforeSet.contains(f)).toList();
    List<String> parts = new ArrayList<>();
    if (!removed.isEmpty()) {
      parts.add(removed.size() + " file(s) removed or rewritten, such as " + removed.get(0));
    }
    if (!added.isEmpty()) {
      parts.add(added.size() + " file(s) added, such as " + added.get(0));
    }
    return parts.isEmpty() ? "the file list changed" : String.join(", ", parts);
  }
}
