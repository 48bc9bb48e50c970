package io.quiver;

import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Draws one console progress bar per build phase. */
final class ConsoleProgressListener implements ProgressListener {

  private ProgressBar bar;
  private BuildPhase phase;

  @Override
  public synchronized void onProgress(BuildPhase phase, long done, long total) {
    if (phase != this.phase) {
      if (bar != null) bar.close();
      this.phase = phase;
      String name = phase.name().charAt(0) + phase.name().substring(1).toLowerCase(Locale.ROOT);
      bar = new ProgressBarBuilder()
          .setTaskName(name)
          .setInitialMax(Math.max(total, 0))
          .setUnit(unit(phase), phase == BuildPhase.WRITE ? 1 << 20 : 1)
          .setStyle(ProgressBarStyle.ASCII)
          .setConsumer(new ConsoleProgressBarConsumer(System.err))
          .setUpdateIntervalMillis(200)
          .showSpeed()
          .build();
    }
    if (total > 0) bar.maxHint(total);
    bar.stepTo(done);
  }

  private static String unit(BuildPhase phase) {
    return switch (phase) {
      case SAMPLE, ENCODE -> " rows";
      case TRAIN -> " it";
      case WRITE -> " MiB";
      case SCAN -> "";
    };
  }

  @Override
  public synchronized void onFinish(boolean success) {
    if (bar != null) bar.close();
    bar = null;
    phase = null;
  }
}
