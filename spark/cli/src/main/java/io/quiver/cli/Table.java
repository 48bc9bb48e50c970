package io.quiver.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain text table with aligned columns, for the human-readable output. */
final class Table {
  private static final int MAX_CELL = 48;

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  Table(List<String> header) {
    this.header = List.copyOf(header);
  }

  /** Adds a row; long cells are cut short, except in the last column (paths go there). */
  void add(List<?> cells) {
    List<String> row = new ArrayList<>(cells.size());
    for (int i = 0; i < cells.size(); i++) row.add(cell(cells.get(i), i == cells.size() - 1));
    rows.add(row);
  }

  private static String cell(Object c, boolean last) {
    String s = c == null ? "null" : c.toString().replace('\n', ' ');
    return last || s.length() <= MAX_CELL ? s : s.substring(0, MAX_CELL - 3) + "...";
  }

  void print(PrintWriter out) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) width[i] = header.get(i).length();
    for (List<String> r : rows) {
      for (int i = 0; i < width.length && i < r.size(); i++) width[i] = Math.max(width[i], r.get(i).length());
    }
    line(out, header, width);
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < width.length; i++) {
      if (i > 0) rule.append("  ");
      rule.append("-".repeat(width[i]));
    }
    out.println(rule);
    for (List<String> r : rows) line(out, r, width);
    out.flush();
  }

  private static void line(PrintWriter out, List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < width.length; i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      if (i > 0) b.append("  ");
      b.append(c);
      if (i < width.length - 1) b.append(" ".repeat(width[i] - c.length()));
    }
    out.println(b);
  }
}
