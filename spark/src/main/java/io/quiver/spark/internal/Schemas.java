package io.quiver.spark.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;
import scala.Function2;

/**
 * Column lookup by name as the session resolves names: case-insensitively unless
 * spark.sql.caseSensitive is set (the resolver of the active session's SQL configuration).
 */
public final class Schemas {
  private Schemas() {}

  /** The index of the column {@code name}, or -1; an exact match wins over other resolver matches. */
  public static int indexOf(StructType schema, String name) {
    String[] names = schema.fieldNames();
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    Function2<String, String, Object> resolver = SQLConf.get().resolver();
    List<Integer> matches = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if ((Boolean) resolver.apply(names[i], name)) {
        matches.add(i);
      }
    }
    if (matches.size() > 1) {
      throw new IllegalArgumentException("the column name '" + name + "' is ambiguous: it matches "
          + matches.stream().map(i -> names[i]).toList());
    }
    return matches.isEmpty() ? -1 : matches.get(0);
  }

  /**
   * The output name of a corpus column beside names already taken: {@code corpus_<name>} (again
   * while that is taken too), compared without case, as Spark compares output names. The name
   * returned is taken from then on. The join and the driver API rename clashing columns this way.
   *
   * @param taken the lower-cased names already in the output
   */
  public static String corpusColumnName(String name, Set<String> taken) {
    String n = name;
    while (taken.contains(n.toLowerCase(Locale.ROOT))) {
      n = "corpus_" + n;
    }
    taken.add(n.toLowerCase(Locale.ROOT));
    return n;
  }

  /** The index of a column, or an error naming it and what it is missing from. */
  public static int fieldIndex(StructType schema, String name, String what) {
    int i = indexOf(schema, name);
    if (i < 0) {
      throw new IllegalArgumentException(
          "no column '" + name + "' in " + what + " (columns: " + String.join(", ", schema.fieldNames()) + ")");
    }
    return i;
  }

  /** Columns by their exact names (quoted: a name may hold dots or other special characters). */
  public static org.apache.spark.sql.Column[] columns(List<String> names) {
    return names.stream().map(n -> org.apache.spark.sql.functions.col("`" + n.replace("`", "``") + "`"))
        .toArray(org.apache.spark.sql.Column[]::new);
  }
}
