package io.quiver.spark;

import io.quiver.BuildParams;
import io.quiver.Metric;
import io.quiver.SearchParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Options of {@link QuiverSpark#kNearestJoin}. Fluent and mutable, like Spark's readers and
 * writers; the join reads them when it is called. Every option can also be given as a string,
 * as Spark's readers take theirs ({@link #option(String, String)}, {@link #options(Map)}), for
 * callers that have only strings: SQL, Python, configuration files.
 */
public final class KnnJoinOptions {
  /** What the join does when a corpus file changed since its index was built. */
  public enum OnStale {
    /** Build the index again (the default). */
    REBUILD,
    /** Throw {@link StaleCorpusException}. */
    FAIL
  }

  private int nprobes = SearchParams.defaults().nprobes();
  private int refineFactor = SearchParams.defaults().refineFactor();
  private Metric metric;
  private List<String> columns;
  private String distanceColumn = "distance";
  private String rankColumn = "rank";
  private String indexLocation;
  private BuildParams buildParams = BuildParams.defaults();
  private int rowsPerTask = 500;
  private int searchThreads;
  private OnStale onStale = OnStale.REBUILD;
  private final Map<String, List<Long>> deletedRows = new LinkedHashMap<>();
  private boolean keepUnmatched;

  public static KnnJoinOptions defaults() {
    return new KnnJoinOptions();
  }

  /** A copy: a join defined now runs later with the options as they were when it was defined. */
  KnnJoinOptions copy() {
    KnnJoinOptions c = new KnnJoinOptions();
    c.nprobes = nprobes;
    c.refineFactor = refineFactor;
    c.metric = metric;
    c.columns = columns;
    c.distanceColumn = distanceColumn;
    c.rankColumn = rankColumn;
    c.indexLocation = indexLocation;
    c.buildParams = buildParams;
    c.rowsPerTask = rowsPerTask;
    c.searchThreads = searchThreads;
    c.onStale = onStale;
    deletedRows.forEach((path, rows) -> c.deletedRows.put(path, List.copyOf(rows)));
    c.keepUnmatched = keepUnmatched;
    return c;
  }

  /** The option names {@link #option(String, String)} takes, matched without regard to case. */
  public static final List<String> OPTION_NAMES = List.of(
      "nprobes", "refineFactor", "metric", "columns", "distanceColumn", "rankColumn",
      "indexLocation", "rowsPerTask", "searchThreads", "onStale", "keepUnmatched",
      "nlist", "pqM", "trainSample", "seed", "buildThreads");

  /**
   * Sets an option from a string: any name of {@link #OPTION_NAMES} (case does not matter), with
   * the value as the typed setter takes it: a number, {@code L2}/{@code COSINE}/{@code
   * INNER_PRODUCT}, {@code REBUILD}/{@code FAIL}, {@code true}/{@code false}, or for {@code
   * columns} a comma-separated list. The build parameters {@code nlist}, {@code pqM}, {@code
   * trainSample}, {@code seed} and {@code buildThreads} change those of {@link #buildParams}.
   *
   * @throws IllegalArgumentException naming the option, for an unknown name or a bad value
   */
  public KnnJoinOptions option(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value of option " + name);
    String key = name.toLowerCase(java.util.Locale.ROOT);
    if (OPTION_NAMES.stream().noneMatch(o -> o.equalsIgnoreCase(key))) {
      throw new IllegalArgumentException("unknown k-nearest join option '" + name
          + "'; the options are " + String.join(", ", OPTION_NAMES));
    }
    String v = value.strip();
    try {
      switch (key) {
        case "nprobes" -> nprobes(Integer.parseInt(v));
        case "refinefactor" -> refineFactor(Integer.parseInt(v));
        case "metric" -> metric(Metric.valueOf(v.toUpperCase(java.util.Locale.ROOT)));
        case "columns" -> columns(java.util.Arrays.stream(v.split(",")).map(String::strip)
            .filter(c -> !c.isEmpty()).toList());
        case "distancecolumn" -> distanceColumn(v);
        case "rankcolumn" -> rankColumn(v);
        case "indexlocation" -> indexLocation(v);
        case "rowspertask" -> rowsPerTask(Integer.parseInt(v));
        case "searchthreads" -> searchThreads(Integer.parseInt(v));
        case "onstale" -> onStale(OnStale.valueOf(v.toUpperCase(java.util.Locale.ROOT)));
        case "keepunmatched" -> keepUnmatched(parseBoolean(v));
        case "nlist" -> buildParams(buildParams.toBuilder().nlist(Integer.parseInt(v)).build());
        case "pqm" -> buildParams(buildParams.toBuilder().pqM(Integer.parseInt(v)).build());
        case "trainsample" -> buildParams(buildParams.toBuilder().trainSample(Long.parseLong(v)).build());
        case "seed" -> buildParams(buildParams.toBuilder().seed(Long.parseLong(v)).build());
        case "buildthreads" -> buildParams(buildParams.toBuilder().threads(Integer.parseInt(v)).build());
        default -> throw new IllegalStateException("OPTION_NAMES lists '" + name + "', which no case sets");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad value '" + value + "' for the k-nearest join option '"
          + name + "': " + e.getMessage(), e);
    }
    return this;
  }

  /** {@link #option(String, String)} for each entry, in the map's order. */
  public KnnJoinOptions options(Map<String, String> options) {
    options.forEach(this::option);
    return this;
  }

  private static boolean parseBoolean(String v) {
    if (v.equalsIgnoreCase("true")) return true;
    if (v.equalsIgnoreCase("false")) return false;
    throw new IllegalArgumentException("expected true or false");
  }

  /** IVF partitions probed per left row (default 16). */
  public KnnJoinOptions nprobes(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("nprobes must be >= 1: " + n);
    }
    this.nprobes = n;
    return this;
  }

  /** k * factor candidates per left row get exact distances (default 8; 0: PQ distances). */
  public KnnJoinOptions refineFactor(int factor) {
    if (factor < 0) {
      throw new IllegalArgumentException("refineFactor must be >= 0: " + factor);
    }
    this.refineFactor = factor;
    return this;
  }

  /** The distance (default: the build parameters' metric, L2 unless set there). */
  public KnnJoinOptions metric(Metric metric) {
    this.metric = Objects.requireNonNull(metric, "metric");
    return this;
  }

  /**
   * The corpus columns to emit (default: every corpus column but the vector column). A name that
   * is also a left column is emitted as {@code corpus_<name>}.
   */
  public KnnJoinOptions columns(String... columns) {
    this.columns = List.of(columns);
    return this;
  }

  public KnnJoinOptions columns(List<String> columns) {
    this.columns = List.copyOf(columns);
    return this;
  }

  /** The name of the distance column (default "distance"); smaller is nearer. */
  public KnnJoinOptions distanceColumn(String name) {
    this.distanceColumn = Objects.requireNonNull(name, "name");
    return this;
  }

  /** The name of the rank column (default "rank"): 1 for the nearest match of a left row. */
  public KnnJoinOptions rankColumn(String name) {
    this.rankColumn = Objects.requireNonNull(name, "name");
    return this;
  }

  /**
   * A Hadoop filesystem directory for the index, kept after the application (default: the
   * application's index cache, see {@link QuiverSession}).
   */
  public KnnJoinOptions indexLocation(String location) {
    this.indexLocation = location;
    return this;
  }

  /** Build parameters (nlist, PQ, sample, seed, threads); the vector column comes from the join. */
  public KnnJoinOptions buildParams(BuildParams params) {
    this.buildParams = Objects.requireNonNull(params, "params");
    return this;
  }

  /**
   * Left rows per task (default 500): the join runs ceil(left rows / rowsPerTask) tasks, at most
   * the default parallelism, and never fewer than the left side's partitions.
   */
  public KnnJoinOptions rowsPerTask(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerTask must be >= 1: " + rows);
    }
    this.rowsPerTask = rows;
    return this;
  }

  /** Search threads per task (default 0: spark.task.cpus). */
  public KnnJoinOptions searchThreads(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("searchThreads must be >= 0: " + threads);
    }
    this.searchThreads = threads;
    return this;
  }

  public KnnJoinOptions onStale(OnStale policy) {
    this.onStale = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * Rows of the corpus file {@code path} (0-based row numbers within the file) that the join
   * never matches, as if deleted. Accumulates over calls.
   */
  public KnnJoinOptions deletedRows(String path, long... rows) {
    List<Long> list = deletedRows.computeIfAbsent(Objects.requireNonNull(path, "path"), p -> new ArrayList<>());
    for (long r : rows) {
      if (r < 0) {
        throw new IllegalArgumentException("row numbers are >= 0: " + r);
      }
      list.add(r);
    }
    return this;
  }

  /**
   * Whether a left row without matches (a null vector, or no live corpus row) is kept once with
   * null corpus columns, distance and rank, as in a left outer join (default false: dropped, as
   * in an inner join).
   */
  public KnnJoinOptions keepUnmatched(boolean keep) {
    this.keepUnmatched = keep;
    return this;
  }

  int nprobes() {
    return nprobes;
  }

  int refineFactor() {
    return refineFactor;
  }

  List<String> columns() {
    return columns;
  }

  String distanceColumn() {
    return distanceColumn;
  }

  String rankColumn() {
    return rankColumn;
  }

  String indexLocation() {
    return indexLocation;
  }

  /** The build parameters for a corpus vector column, with the metric option applied. */
  BuildParams buildParams(String vectorColumn) {
    BuildParams.Builder b = buildParams.toBuilder().vectorColumn(vectorColumn);
    if (metric != null) {
      b.metric(metric);
    }
    return b.build();
  }

  int rowsPerTask() {
    return rowsPerTask;
  }

  int searchThreads() {
    return searchThreads;
  }

  OnStale onStale() {
    return onStale;
  }

  Map<String, List<Long>> deletedRows() {
    return deletedRows;
  }

  boolean keepUnmatched() {
    return keepUnmatched;
  }
}
