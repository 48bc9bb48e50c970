package io.quiver.spark.internal;

import java.util.Locale;
import org.apache.spark.sql.types.StructType;

/** Column lookup by name the way Spark resolves names by default (case-insensitively). */
public final class Schemas {
  private Schemas() {}

  public static int indexOf(StructType schema, String name) {
    String[] names = schema.fieldNames();
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    for (int i = 0; i < names.length; i++) {
      if (names[i].toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    return -1;
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
}
