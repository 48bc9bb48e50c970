package io.quiver;

/**
 * Receives the progress of an index build. Called from the library's own threads, never
 * concurrently with itself.
 *
 * <p>To cancel a build, throw from {@link #onProgress}: the build stops with no index written
 * and {@link QuiverIndex#build} rethrows the exception (with a {@link CancelledException}
 * suppressed in it). Interrupting the building thread cancels it too.
 */
@FunctionalInterface
public interface ProgressListener {

  /**
   * Progress within a phase: {@code done} of {@code total} rows (iterations for
   * {@link BuildPhase#TRAIN}, bytes for {@link BuildPhase#WRITE}).
   */
  void onProgress(BuildPhase phase, long done, long total);

  /** Called once when the build ends, whether it succeeded or not. */
  default void onFinish(boolean success) {}

  /** A listener that ignores progress. */
  static ProgressListener none() {
    return (phase, done, total) -> {};
  }

  /**
   * A listener drawing a progress bar per phase on the console (standard error). It draws with
   * {@code me.tongfei:progressbar} 0.10.1, an optional dependency of quiver-bindings that the
   * application adds.
   *
   * @throws IllegalStateException when that library is not on the class path
   */
  static ProgressListener console() {
    try {
      Class.forName("me.tongfei.progressbar.ProgressBar", false, ProgressListener.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "ProgressListener.console() draws with me.tongfei:progressbar 0.10.1, an optional"
              + " dependency of quiver-bindings that is not on the class path: add it to the"
              + " application's dependencies, or use a ProgressListener of your own",
          e);
    }
    return new ConsoleProgressListener();
  }
}
