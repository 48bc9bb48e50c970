package io.quiver.cli;

import java.util.Locale;

/** Human-readable sizes, durations and rates. */
final class Units {
  private Units() {}

  static String bytes(long b) {
    if (b < 1024) return b + " B";
    String[] unit = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int i = -1;
    while (v >= 1024 && i < unit.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, unit[i]);
  }

  static String seconds(double s) {
    if (s < 1) return String.format(Locale.ROOT, "%.0f ms", s * 1000);
    if (s < 120) return String.format(Locale.ROOT, "%.1f s", s);
    return String.format(Locale.ROOT, "%dm %02ds", (long) s / 60, (long) s % 60);
  }

  static String millis(double ms) {
    return ms < 10 ? String.format(Locale.ROOT, "%.2f ms", ms) : String.format(Locale.ROOT, "%.1f ms", ms);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
