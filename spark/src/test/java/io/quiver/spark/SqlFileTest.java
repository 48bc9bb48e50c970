package io.quiver.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The SQL files under test resources sql/, run statement by statement through the session, as a
 * user of spark-sql would: each query after "-- expect:" lines returns exactly those rows.
 */
class SqlFileTest {

  /** One statement and the rows it must return (none expected: it must just run). */
  record Statement(String sql, List<String> expected) {}

  static List<Statement> parse(String text) {
    List<Statement> out = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    StringBuilder sql = new StringBuilder();
    for (String line : text.split("\n")) {
      String t = line.strip();
      if (t.startsWith("-- expect:")) {
        expected.add(t.substring("-- expect:".length()).strip());
      } else if (!t.startsWith("--") && !t.isEmpty()) {
        sql.append(line).append('\n');
        if (t.endsWith(";")) {
          out.add(new Statement(sql.toString().strip().replaceAll(";$", ""), List.copyOf(expected)));
          expected.clear();
          sql.setLength(0);
        }
      }
    }
    assertTrue(sql.toString().isBlank() && expected.isEmpty(), "a statement without its ';': " + sql);
    return out;
  }

  static String format(Row r) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < r.length(); i++) values.add(String.valueOf(r.get(i)));
    return String.join(" | ", values);
  }

  @Test
  void quiverSqlRunsAsWritten() throws IOException {
    String text;
    try (InputStream in = SqlFileTest.class.getResourceAsStream("/sql/quiver.sql")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    SparkSession spark = SharedSpark.session();
    long builds = QuiverSession.of(spark).builds();
    List<Statement> statements = parse(text);
    int checked = 0;
    for (Statement s : statements) {
      List<String> got;
      try {
        got = spark.sql(s.sql()).collectAsList().stream().map(SqlFileTest::format).collect(Collectors.toList());
      } catch (Exception e) {
        throw new AssertionError("failed: " + s.sql() + "\n" + e.getMessage(), e);
      }
      if (!s.expected().isEmpty()) {
        assertEquals(s.expected(), got, s.sql());
        checked++;
      }
    }
    assertEquals(9, statements.size());
    assertEquals(6, checked);
    assertTrue(QuiverSession.of(spark).builds() > builds);
  }
}
