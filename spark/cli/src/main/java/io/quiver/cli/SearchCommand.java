package io.quiver.cli;

import io.quiver.QuiverIndex;
import io.quiver.RowKey;
import io.quiver.SearchParams;
import io.quiver.SearchResult;
import io.quiver.spark.CorpusIndex;
import io.quiver.spark.QuiverSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.spark.sql.Row;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "search", mixinStandardHelpOptions = true,
    description = {
        "Finds the k nearest rows to one query vector.",
        "Prints them with any columns of the source files. Runs in this process through the "
            + "native library: no Spark. An index built from a Delta or Iceberg table answers for the "
            + "table's latest version, which a local Spark session reads (its deleted rows are never "
            + "returned; a table with other files than the index's is a stale index)."})
final class SearchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "INDEX_DIR", description = "The index directory.")
  Path index;

  static final class Query {
    @Option(names = {"-q", "--query"}, paramLabel = "V1,V2,...",
        description = "The query vector, comma-separated.")
    String inline;

    @Option(names = "--query-file", paramLabel = "FILE",
        description = "A text file holding the query vector (numbers separated by commas or blanks).")
    Path file;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Query query;

  @Option(names = "-k", defaultValue = "10", description = "Rows to return (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--nprobes", defaultValue = "" + SearchParams.DEFAULT_NPROBES,
      description = "IVF partitions probed (default: ${DEFAULT-VALUE}); more is slower and more accurate.")
  int nprobes;

  @Option(names = "--refine", defaultValue = "" + SearchParams.DEFAULT_REFINE_FACTOR, paramLabel = "FACTOR",
      description = "k * FACTOR candidates get exact distances from the Parquet files; 0 reports PQ "
          + "distances (default: ${DEFAULT-VALUE}).")
  int refine;

  @Option(names = "--columns", split = ",", paramLabel = "COL",
      description = "Columns of the source files to print for each hit, comma-separated.")
  List<String> columns = List.of();

  @Override
  public Integer call() throws Exception {
    Inputs.requireIndex(index);
    float[] q = query.inline != null ? QueryVector.parse(query.inline, "--query") : QueryVector.read(query.file);
    if (k < 1) throw new CliFailure(ExitCodes.USAGE, "-k must be at least 1, got " + k);
    SearchParams params = SearchParams.builder().nprobes(nprobes).refineFactor(refine).build();
    try (QuiverIndex opened = QuiverIndex.open(index)) {
      QueryVector.requireDimension(q, opened.dim());
      if (!opened.info().source().isEmpty()) {
        searchTable(q, params);
        return ExitCodes.OK;
      }
      long start = System.nanoTime();
      List<SearchResult> hits = opened.search(q, k, params);
      double searchMs = (System.nanoTime() - start) / 1e6;
      List<Map<String, Object>> values = columns.isEmpty() ? null : fetch(opened, hits);
      double totalMs = (System.nanoTime() - start) / 1e6;
      print(hits, values, searchMs, totalMs, "");
    }
    return ExitCodes.OK;
  }

  /** Through the Spark layer, which applies the table's deletes at its latest version. */
  private void searchTable(float[] q, SearchParams params) {
    QuiverSession qs = QuiverSession.of(LocalSpark.session("local[*]"));
    CorpusIndex opened = qs.open(index.toAbsolutePath().toString());
    long start = System.nanoTime();
    List<SearchResult> hits = qs.search(opened, q, k, params);
    double searchMs = (System.nanoTime() - start) / 1e6;
    List<Map<String, Object>> values = null;
    if (!columns.isEmpty()) {
      values = new ArrayList<>();
      List<RowKey> keys = hits.stream().map(SearchResult::key).toList();
      for (Row r : qs.fetchRowsToDF(opened, keys, columns.toArray(String[]::new)).collectAsList()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 0; c < r.length(); c++) row.put(r.schema().fields()[c].name(), Json.plain(r.get(c)));
        values.add(row);
      }
    }
    double totalMs = (System.nanoTime() - start) / 1e6;
    print(hits, values, searchMs, totalMs, opened.source());
  }

  private List<Map<String, Object>> fetch(QuiverIndex opened, List<SearchResult> hits) throws IOException {
    List<RowKey> keys = hits.stream().map(SearchResult::key).toList();
    List<Map<String, Object>> rows = new ArrayList<>(keys.size());
    try (BufferAllocator allocator = new RootAllocator();
         ArrowReader reader = opened.fetchRows(keys, columns, allocator)) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        for (int r = 0; r < root.getRowCount(); r++) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (FieldVector v : root.getFieldVectors()) row.put(v.getName(), Json.plain(v.getObject(r)));
          rows.add(row);
        }
      }
    }
    return rows;
  }

  /** {@code source}: the table version answered from, "" for plain files. */
  private void print(List<SearchResult> hits, List<Map<String, Object>> values, double searchMs,
      double totalMs, String source) {
    PrintWriter out = spec.commandLine().getOut();
    if (common.json) {
      List<Object> list = new ArrayList<>();
      for (int i = 0; i < hits.size(); i++) {
        SearchResult h = hits.get(i);
        Map<String, Object> o = Json.object("rank", i + 1, "distance", h.distance(),
            "file", h.path(), "row", h.row());
        if (values != null) o.put("columns", values.get(i));
        list.add(o);
      }
      Json.print(out, Json.object("index", index.toAbsolutePath().toString(), "k", k,
          "nprobes", nprobes, "refine", refine, "search_ms", searchMs, "total_ms", totalMs,
          "source", source, "hits", list));
      return;
    }
    List<String> header = new ArrayList<>(List.of("rank", "distance", "file", "row"));
    header.addAll(columns);
    Table table = new Table(header);
    for (int i = 0; i < hits.size(); i++) {
      SearchResult h = hits.get(i);
      List<Object> cells = new ArrayList<>(List.of(i + 1, Units.fixed(h.distance(), 4),
          Path.of(h.path()).getFileName(), h.row()));
      if (values != null) cells.addAll(values.get(i).values());
      table.add(cells);
    }
    table.print(out);
    out.printf("%d hit(s); search %s, with fetch %s (nprobes %d, refine %d)%n", hits.size(),
        Units.millis(searchMs), Units.millis(totalMs), nprobes, refine);
    if (!source.isEmpty()) out.printf("Answered from the %s%n", source);
    out.flush();
  }
}
