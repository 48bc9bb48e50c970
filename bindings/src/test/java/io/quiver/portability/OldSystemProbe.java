package io.quiver.portability;

import io.quiver.BuildParams;
import io.quiver.ProgressListener;
import io.quiver.QuiverIndex;
import io.quiver.RowKey;
import io.quiver.SearchParams;
import io.quiver.SearchResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * What ci/test-old-glibc.sh runs inside an old distribution with nothing but a JDK: the packaged
 * jar's library loads, builds an index over a Parquet file (an int64 {@code id} equal to the row
 * number and a list&lt;float&gt; {@code v}), searches it and fetches rows, and the answers are
 * checked: every probed row's own vector finds that row first, at distance 0, and the fetched ids
 * are the row numbers. Prints one line per step; exits non-zero on any wrong answer.
 *
 * <p>Arguments: DATA.parquet INDEX_DIR ROWS.
 */
public final class OldSystemProbe {
  private OldSystemProbe() {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    Path index = Path.of(args[1]);
    int rows = Integer.parseInt(args[2]);
    System.out.println("native library " + QuiverIndex.nativeVersion() + " loaded on "
        + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    QuiverIndex.build(List.of(data), index, BuildParams.builder().vectorColumn("v").build(), ProgressListener.none());
    System.out.println("built an index over " + data);

    int probes = 25;
    List<RowKey> probed = new ArrayList<>();
    for (int i = 0; i < probes; i++) {
      probed.add(new RowKey(0, (long) i * (rows / probes)));
    }
    int failures = 0;
    try (QuiverIndex idx = QuiverIndex.open(index);
        BufferAllocator allocator = new RootAllocator()) {
      List<float[]> vectors = new ArrayList<>();
      try (ArrowReader reader = idx.fetchRows(probed, List.of("v"), allocator)) {
        while (reader.loadNextBatch()) {
          ListVector v = (ListVector) reader.getVectorSchemaRoot().getVector("v");
          for (int r = 0; r < v.getValueCount(); r++) {
            List<?> values = v.getObject(r);
            float[] q = new float[values.size()];
            for (int j = 0; j < q.length; j++) {
              q[j] = ((Number) values.get(j)).floatValue();
            }
            vectors.add(q);
          }
        }
      }
      if (vectors.size() != probes) {
        throw new IllegalStateException("fetched " + vectors.size() + " vectors for " + probes + " keys");
      }
      SearchParams exact = SearchParams.builder().nprobes(1 << 20).refineFactor(100).build();
      List<RowKey> firsts = new ArrayList<>();
      for (int i = 0; i < probes; i++) {
        List<SearchResult> hits = idx.search(vectors.get(i), 5, exact);
        SearchResult first = hits.get(0);
        firsts.add(first.key());
        if (!first.key().equals(probed.get(i)) || first.distance() > 1e-4f) {
          System.out.println("WRONG: the vector of " + probed.get(i) + " found " + first.key()
              + " at distance " + first.distance());
          failures++;
        }
      }
      System.out.println("searched " + probes + " vectors of the file, each found itself first: " + (failures == 0));
      try (ArrowReader reader = idx.fetchRows(firsts, List.of("id"), allocator)) {
        int at = 0;
        while (reader.loadNextBatch()) {
          BigIntVector ids = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
          for (int r = 0; r < ids.getValueCount(); r++, at++) {
            if (ids.get(r) != firsts.get(at).row()) {
              System.out.println("WRONG: row " + firsts.get(at) + " has id " + ids.get(r));
              failures++;
            }
          }
        }
        System.out.println("fetched the ids of " + at + " rows, each its row number: " + (at == probes));
        if (at != probes) failures++;
      }
    }
    if (failures > 0) {
      System.out.println("FAILED: " + failures + " wrong answers");
      System.exit(1);
    }
    System.out.println("OK");
  }
}
