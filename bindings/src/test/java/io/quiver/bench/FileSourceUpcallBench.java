package io.quiver.bench;

import io.quiver.BuildParams;
import io.quiver.FileSource;
import io.quiver.IoStats;
import io.quiver.QuiverIndex;
import io.quiver.SearchParams;
import io.quiver.testing.ChannelFileSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What reading source files through a {@link FileSource} (upcalls from the library's threads into
 * Java) costs against the library's own local reads, on the same files and index: refinement with
 * the page cache off, so every search reads its pages again. The Java source here reads the same
 * local files (FileChannel, {@link ChannelFileSource}), so the difference is the upcall path, not
 * the store; then the same with a round trip added to every call (--delay-ms).
 *
 * <pre>
 * java -cp ... io.quiver.bench.FileSourceUpcallBench [--rows N] [--dim D] [--queries Q] [--rounds R]
 * </pre>
 *
 * Prints, for each side, the wall time of the same batch searches, the read requests and bytes
 * (from the handle's counters), and the extra time per request and per MiB through the source.
 */
public final class FileSourceUpcallBench {

  public static void main(String[] args) throws Exception {
    int rows = 200_000, dim = 128, queries = 1000, rounds = 3;
    long delay = 30;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[i + 1]);
        case "--dim" -> dim = Integer.parseInt(args[i + 1]);
        case "--queries" -> queries = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--delay-ms" -> delay = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("quiver-upcall-bench");
    SearchOverheadBench.writeCorpus(dir, rows, dim, 4);
    List<String> files = new ArrayList<>();
    for (int f = 0; f < 4; f++) files.add(dir.resolve(String.format("parquet/part-%03d.parquet", f)).toString());
    BuildParams params = BuildParams.builder().threads(2).build();
    Path localIndex = dir.resolve("local");
    Path sourceIndex = dir.resolve("source");
    FileSource source = new ChannelFileSource(Path::of, 0);
    QuiverIndex.build(files.stream().map(Path::of).toList(), localIndex, params, null);
    QuiverIndex.build(files, sourceIndex, params, null, source);
    float[][] q = new float[queries][dim];
    Random r = new Random(7);
    for (float[] v : q) for (int d = 0; d < dim; d++) v[d] = (float) r.nextGaussian();
    SearchParams sp = SearchParams.builder().nprobes(16).refineFactor(8).threads(2).build();
    System.out.printf("corpus %d x %d in 4 files; %d queries, k 10, nprobes 16, refine 8, page cache off%n",
        rows, dim, queries);
    try (QuiverIndex local = QuiverIndex.open(localIndex); QuiverIndex viaJava = QuiverIndex.open(sourceIndex, source)) {
      local.setCacheBudget(0);
      viaJava.setCacheBudget(0);
      local.searchBatch(q, 10, sp);  // warm up both paths (JIT, footers)
      viaJava.searchBatch(q, 10, sp);
      for (int round = 0; round < rounds; round++) {
        long[] t = new long[2];
        IoStats[] before = {local.ioStats(), viaJava.ioStats()};
        QuiverIndex[] sides = {local, viaJava};
        for (int s = 0; s < 2; s++) {
          long t0 = System.nanoTime();
          sides[s].searchBatch(q, 10, sp);
          t[s] = System.nanoTime() - t0;
        }
        long requests = viaJava.ioStats().readRequests() - before[1].readRequests();
        long bytes = viaJava.ioStats().bytesRead() - before[1].bytesRead();
        long localRequests = local.ioStats().readRequests() - before[0].readRequests();
        double extra = t[1] - t[0];
        System.out.printf("round %d: local %.1f ms (%d requests), through Java %.1f ms (%d requests, %.1f MiB);"
                + " extra %.1f us per request, %.2f ms per MiB%n",
            round + 1, t[0] / 1e6, localRequests, t[1] / 1e6, requests, bytes / 1048576.0,
            extra / 1e3 / Math.max(1, requests), extra / 1e6 / Math.max(1e-9, bytes / 1048576.0));
      }
      // Single queries: small reads, where the cost per call shows rather than per byte.
      SearchParams one = SearchParams.builder().nprobes(16).refineFactor(8).threads(1).build();
      for (int round = 0; round < rounds; round++) {
        long[] t = new long[2];
        long[] requests = new long[2];
        long[] bytes = new long[2];
        QuiverIndex[] sides = {local, viaJava};
        for (int s = 0; s < 2; s++) {
          IoStats before = sides[s].ioStats();
          long t0 = System.nanoTime();
          for (float[] query : q) sides[s].search(query, 10, one);
          t[s] = System.nanoTime() - t0;
          requests[s] = sides[s].ioStats().readRequests() - before.readRequests();
          bytes[s] = sides[s].ioStats().bytesRead() - before.bytesRead();
        }
        System.out.printf("single queries, round %d: local %.1f us/query, through Java %.1f us/query;"
                + " %.1f requests and %.1f KiB per query; extra %.2f us per request%n",
            round + 1, t[0] / 1e3 / q.length, t[1] / 1e3 / q.length, requests[1] / (double) q.length,
            bytes[1] / 1024.0 / q.length, (t[1] - t[0]) / 1e3 / Math.max(1, requests[1]));
      }
    }
    // A store with a round trip of --delay-ms on every call, the page cache off (cold: every
    // page read again) and on (warm: what a join's executor sees after its first batch).
    FileSource slow = new ChannelFileSource(Path::of, delay);
    Path slowIndex = dir.resolve("slow");
    QuiverIndex.build(files, slowIndex, params, null, slow);
    try (QuiverIndex local = QuiverIndex.open(localIndex); QuiverIndex remote = QuiverIndex.open(slowIndex, slow)) {
      for (long budget : new long[] {0, 1L << 30}) {
        local.setCacheBudget(budget);
        remote.setCacheBudget(budget);
        local.searchBatch(q, 10, sp);
        remote.searchBatch(q, 10, sp);
        long t0 = System.nanoTime();
        local.searchBatch(q, 10, sp);
        long t1 = System.nanoTime();
        IoStats before = remote.ioStats();
        remote.searchBatch(q, 10, sp);
        long t2 = System.nanoTime();
        IoStats after = remote.ioStats();
        System.out.printf("%s batch of %d queries, %d ms per round trip: local %.1f ms, remote %.1f ms (%.2fx);"
                + " %d requests, %.1f MiB%n",
            budget == 0 ? "cold" : "warm", queries, delay, (t1 - t0) / 1e6, (t2 - t1) / 1e6,
            (t2 - t1) / (double) Math.max(1, t1 - t0), after.readRequests() - before.readRequests(),
            (after.bytesRead() - before.bytesRead()) / 1048576.0);
      }
    }
  }
}
