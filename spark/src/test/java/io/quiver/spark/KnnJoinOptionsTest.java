package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.BuildParams;
import io.quiver.Metric;
import io.quiver.SearchParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Options as strings set what the typed setters set; bad ones are named. */
class KnnJoinOptionsTest {

  @Test
  void defaultsAreTheHandles() {
    KnnJoinOptions d = KnnJoinOptions.defaults();
    assertEquals(SearchParams.defaults().nprobes(), d.nprobes());
    assertEquals(SearchParams.defaults().refineFactor(), d.refineFactor());
  }

  @Test
  void stringOptionsSetTheTypedOnes() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("NPROBES", "32");
    m.put("refineFactor", " 4 ");
    m.put("metric", "cosine");
    m.put("columns", "id, name,info");
    m.put("distanceColumn", "d");
    m.put("rankColumn", "r");
    m.put("indexLocation", "/tmp/idx");
    m.put("rowsPerTask", "100");
    m.put("searchThreads", "2");
    m.put("onStale", "fail");
    m.put("keepUnmatched", "TRUE");
    m.put("nlist", "64");
    m.put("pqM", "8");
    m.put("trainSample", "5000");
    m.put("seed", "9");
    m.put("buildThreads", "1");
    KnnJoinOptions o = KnnJoinOptions.defaults().options(m);
    assertEquals(32, o.nprobes());
    assertEquals(4, o.refineFactor());
    assertEquals(List.of("id", "name", "info"), o.columns());
    assertEquals("d", o.distanceColumn());
    assertEquals("r", o.rankColumn());
    assertEquals("/tmp/idx", o.indexLocation());
    assertEquals(100, o.rowsPerTask());
    assertEquals(2, o.searchThreads());
    assertEquals(KnnJoinOptions.OnStale.FAIL, o.onStale());
    assertTrue(o.keepUnmatched());
    BuildParams p = o.buildParams("v");
    assertEquals(BuildParams.builder().vectorColumn("v").metric(Metric.COSINE).nlist(64).pqM(8)
        .trainSample(5000).seed(9).threads(1).build(), p);
    assertEquals(KnnJoinOptions.OPTION_NAMES.size(), m.size(), "every option is covered here");
  }

  @Test
  void badOptionsAreNamed() {
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> KnnJoinOptions.defaults().option("nprobe", "3"));
    assertTrue(unknown.getMessage().contains("'nprobe'") && unknown.getMessage().contains("refineFactor"),
        unknown.getMessage());
    IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class,
        () -> KnnJoinOptions.defaults().option("nprobes", "many"));
    assertTrue(notANumber.getMessage().contains("'nprobes'") && notANumber.getMessage().contains("'many'"),
        notANumber.getMessage());
    IllegalArgumentException outOfRange = assertThrows(IllegalArgumentException.class,
        () -> KnnJoinOptions.defaults().option("nprobes", "0"));
    assertTrue(outOfRange.getMessage().contains(">= 1"), outOfRange.getMessage());
    assertThrows(IllegalArgumentException.class, () -> KnnJoinOptions.defaults().option("metric", "manhattan"));
    assertThrows(IllegalArgumentException.class, () -> KnnJoinOptions.defaults().option("keepUnmatched", "yes"));
  }
}
