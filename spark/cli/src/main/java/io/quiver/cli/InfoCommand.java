package io.quiver.cli;

import io.quiver.FileInfo;
import io.quiver.IndexInfo;
import io.quiver.QuiverIndex;
import io.quiver.SegmentInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
    description = {
        "Shows an index, its parameters, its files and whether each source file is fresh.",
        "A source file is fresh when it still matches the fingerprint taken at build time. Exits "
            + "0 even for a stale index (use 'quiver verify' to check)."})
final class InfoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "INDEX_DIR", description = "The index directory.")
  Path index;

  @Override
  public Integer call() throws IOException {
    Inputs.requireIndex(index);
    IndexInfo info;
    List<Optional<String>> staleness = new ArrayList<>();
    List<SegmentInfo> segments;
    Optional<String> retrain;
    List<Boolean> removed = new ArrayList<>();
    try (QuiverIndex opened = QuiverIndex.openWithoutFreshnessCheck(index)) {
      info = opened.info();
      segments = opened.segments();
      retrain = opened.retrainAdvice();
      for (FileInfo f : info.files()) {
        staleness.add(opened.fileStaleness(f.ordinal()));
        removed.add(opened.isRemoved(f.ordinal()));
      }
    }
    List<Path> indexFiles;
    try (Stream<Path> s = Files.list(index)) {
      indexFiles = s.filter(Files::isRegularFile).sorted().toList();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (common.json) {
      List<Object> own = new ArrayList<>();
      for (Path p : indexFiles) own.add(Json.object("name", p.getFileName().toString(), "bytes", Files.size(p)));
      Map<String, Object> doc = Json.object("index", index.toAbsolutePath().toString());
      doc.putAll(json(info, staleness));
      doc.put("index_files", own);
      doc.put("segments", SegmentsCommand.json(segments));
      doc.put("retrain_advice", retrain.orElse(null));
      doc.put("removed_files", info.files().stream().filter(f -> removed.get(f.ordinal())).map(FileInfo::ordinal).toList());
      Json.print(out, doc);
      return ExitCodes.OK;
    }
    out.printf("Index       %s%n", index.toAbsolutePath());
    printSummary(out, info);
    out.println();
    out.println("Index files");
    Table own = new Table(List.of("name", "size"));
    for (Path p : indexFiles) own.add(List.of(p.getFileName(), Units.bytes(Files.size(p))));
    own.print(out);
    if (segments.size() > 1) {
      out.println();
      out.printf("Segments (%d: the build's, then one per append or distributed task; 'quiver compact' merges them)%n", segments.size());
      Table segs = new Table(List.of("#", "files", "rows", "size", "PQ error", "imbalance"));
      for (int g = 0; g < segments.size(); g++) {
        SegmentInfo s = segments.get(g);
        segs.add(List.of(g, s.files() == 0 ? "-" : s.firstFile() + "-" + (s.firstFile() + s.files() - 1),
            Units.count(s.rowsIndexed()), Units.bytes(s.bytes()), String.format(java.util.Locale.ROOT, "%.4g", s.meanPqError()),
            String.format(java.util.Locale.ROOT, "%.2f", s.imbalance())));
      }
      segs.print(out);
      retrain.ifPresent(r -> out.println("Retrain advised: " + r));
    }
    out.println();
    long stale = staleness.stream().filter(Optional::isPresent).count();
    out.printf("Source files (%d, %s)%n", info.files().size(),
        stale == 0 ? "all fresh" : stale + " stale: rebuild the index with 'quiver build'");
    Table files = new Table(List.of("#", "rows", "indexed", "size", "status", "path"));
    for (FileInfo f : info.files()) {
      Optional<String> why = staleness.get(f.ordinal());
      files.add(List.of(f.ordinal(), Units.count(f.rows()), Units.count(f.rowsIndexed()),
          Units.bytes(f.sizeBytes()),
          removed.get(f.ordinal()) ? "removed" : why.map(w -> "STALE").orElse("fresh"), f.path()));
    }
    files.print(out);
    for (FileInfo f : info.files()) {
      staleness.get(f.ordinal()).ifPresent(w -> out.printf("  #%d: %s%n", f.ordinal(), w));
    }
    out.flush();
    return ExitCodes.OK;
  }

  static void printSummary(PrintWriter out, IndexInfo i) {
    out.printf("Vectors     %s x %d-d from column '%s', metric %s%n",
        Units.count(i.rowsIndexed()), i.dim(), i.vectorColumn(), i.metric());
    out.printf("Rows        %s in %d file(s); skipped: %s null, %s wrong length, %s NaN/inf%n",
        Units.count(i.rowsTotal()), i.files().size(), Units.count(i.rowsSkippedNull()),
        Units.count(i.rowsSkippedLength()), Units.count(i.rowsSkippedNonFinite()));
    out.printf("IVF-PQ      nlist %d, m %d x %d bits, trained on %s rows, seed %d%n",
        i.nlist(), i.pqM(), i.pqBits(), Units.count(i.trainSample()), i.seed());
    out.printf("Size        %s (format version %d)%n", Units.bytes(i.indexBytes()), i.formatVersion());
    if (!i.source().isEmpty()) {
      out.printf("Source      %s%n", i.source());
    }
    out.flush();
  }

  /** The index description as JSON; {@code staleness} adds a freshness status per file. */
  static Map<String, Object> json(IndexInfo i, List<Optional<String>> staleness) {
    List<Object> files = new ArrayList<>();
    for (FileInfo f : i.files()) {
      Map<String, Object> o = Json.object("ordinal", f.ordinal(), "path", f.path().toString(),
          "rows", f.rows(), "rows_indexed", f.rowsIndexed(), "size_bytes", f.sizeBytes(),
          "mtime_nanos", f.mtimeNanos(), "footer_hash", Long.toHexString(f.footerHash()));
      if (staleness != null) {
        Optional<String> why = staleness.get(f.ordinal());
        o.put("fresh", why.isEmpty());
        why.ifPresent(w -> o.put("stale_reason", w));
      }
      files.add(o);
    }
    return Json.object(
        "format_version", i.formatVersion(), "dim", i.dim(), "metric", i.metric().name(),
        "vector_column", i.vectorColumn(), "nlist", i.nlist(), "pq_m", i.pqM(),
        "pq_bits", i.pqBits(), "train_sample", i.trainSample(), "seed", i.seed(),
        "rows_total", i.rowsTotal(), "rows_indexed", i.rowsIndexed(),
        "rows_skipped_null", i.rowsSkippedNull(), "rows_skipped_length", i.rowsSkippedLength(),
        "rows_skipped_nonfinite", i.rowsSkippedNonFinite(), "index_bytes", i.indexBytes(),
        "source", i.source(), "files", files);
  }
}
