package io.quiver.cli;

import io.quiver.BuildParams;
import io.quiver.IndexInfo;
import io.quiver.ProgressListener;
import io.quiver.QuiverIndex;
import io.quiver.SegmentInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The commands that change an index in place: append, remove, compact, retrain. */
final class SegmentsCommand {
  private SegmentsCommand() {}

  @Command(name = "append", mixinStandardHelpOptions = true,
      description = {
          "Adds Parquet files to an index without rebuilding it.",
          "The files are encoded with the index's quantizers into a new segment; searches then "
              + "answer exactly as an index over all the files with the same quantizers. Atomic: "
              + "a failed or interrupted append leaves the index as it was. After the data has "
              + "drifted from what the index was trained on, build it again."})
  static final class Append implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "INDEX_DIR", description = "The index directory.")
    Path index;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "FILE_OR_DIR",
        description = "Parquet files or directories not yet in the index.")
    List<Path> inputs;

    @Option(names = "--threads", defaultValue = "0", description = "Threads; 0 uses all cores.")
    int threads;

    @Option(names = "--no-progress", description = "Draw no progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
      Inputs.requireIndex(index);
      Inputs.requireExists(inputs);
      long start = System.nanoTime();
      QuiverIndex.append(inputs.stream().map(Path::toString).toList(), index,
          BuildParams.builder().threads(threads).build(),
          noProgress ? ProgressListener.none() : ProgressListener.console(), null);
      return report(spec, common, index, "Appended to", start);
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = {
          "Removes files from an index: searches no longer return their rows.",
          "The files may be deleted afterwards; their rows stay in the index's segments until "
              + "'quiver compact'. Nothing is removed when a file is not in the index."})
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "INDEX_DIR", description = "The index directory.")
    Path index;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "FILE",
        description = "Files of the index, as 'quiver info' lists them (or any path to a local one).")
    List<String> files;

    @Override
    public Integer call() {
      Inputs.requireIndex(index);
      long start = System.nanoTime();
      QuiverIndex.removeFiles(index, files);
      return report(spec, common, index, "Removed " + files.size() + " file(s) from", start);
    }
  }

  /** A command that rewrites an index as a whole, with a progress bar: compact, retrain. */
  private abstract static class Rewrite implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "INDEX_DIR", description = "The index directory.")
    Path index;

    @Option(names = "--no-progress", description = "Draw no progress bar.")
    boolean noProgress;

    abstract String rewrite(Path index, ProgressListener progress);

    @Override
    public Integer call() {
      Inputs.requireIndex(index);
      long start = System.nanoTime();
      String done = rewrite(index, noProgress ? ProgressListener.none() : ProgressListener.console());
      return report(spec, common, index, done, start);
    }
  }

  @Command(name = "compact", mixinStandardHelpOptions = true,
      description = {
          "Merges an index's segments into one and drops the rows of removed files.",
          "The result is the index a build over the remaining files with the same quantizers "
              + "writes; the files are renumbered in order. Atomic, like a build."})
  static final class Compact extends Rewrite {
    @Override
    String rewrite(Path index, ProgressListener progress) {
      QuiverIndex.compact(index, progress);
      return "Compacted";
    }
  }

  @Command(name = "retrain", mixinStandardHelpOptions = true,
      description = {
          "Builds an index again over its files, with quantizers trained on a new sample.",
          "What 'quiver info' advises once appended rows fit the build's quantizers markedly worse "
              + "than its own rows did. Keeps the vector column, metric, nlist, pq_m and seed; "
              + "removed files are left out. Atomic, like a build."})
  static final class Retrain extends Rewrite {
    @Option(names = "--threads", defaultValue = "0", description = "Threads; 0 uses all cores.")
    int threads;

    @Override
    String rewrite(Path index, ProgressListener progress) {
      QuiverIndex.retrain(index, threads, progress, null);
      return "Retrained";
    }
  }

  private static int report(CommandSpec spec, CommonOptions common, Path index, String what, long start) {
    double seconds = (System.nanoTime() - start) / 1e9;
    IndexInfo info;
    List<SegmentInfo> segments;
    try (QuiverIndex opened = QuiverIndex.openWithoutFreshnessCheck(index)) {
      info = opened.info();
      segments = opened.segments();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (common.json) {
      Map<String, Object> doc = Json.object("index", index.toAbsolutePath().toString(), "seconds", seconds);
      doc.put("info", InfoCommand.json(info, null));
      doc.put("segments", json(segments));
      Json.print(out, doc);
    } else {
      out.printf("%s %s in %s%n", what, index, Units.seconds(seconds));
      InfoCommand.printSummary(out, info);
      out.printf("Segments    %d%n", segments.size());
      out.flush();
    }
    return ExitCodes.OK;
  }

  static List<Object> json(List<SegmentInfo> segments) {
    List<Object> out = new ArrayList<>();
    for (SegmentInfo g : segments) {
      out.add(Json.object("first_file", g.firstFile(), "files", g.files(), "rows_indexed", g.rowsIndexed(),
          "bytes", g.bytes(), "mean_coarse_error", g.meanCoarseError(), "mean_pq_error", g.meanPqError(),
          "imbalance", g.imbalance()));
    }
    return out;
  }
}
