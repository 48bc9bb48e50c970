package io.quiver;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the calls using a native object so that closing it waits for them and later calls are
 * refused: the native object is freed only once no call can reach it any more.
 */
final class UseGuard {

  private static final long CLOSED = 1L << 62;

  private final AtomicLong state = new AtomicLong();
  private final String what;

  UseGuard(String what) {
    this.what = what;
  }

  /** Registers a call; throws IllegalStateException once closing has begun. */
  void acquire() {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) throw new IllegalStateException(what + " is closed");
      if (state.compareAndSet(s, s + 1)) return;
    }
  }

  void release() {
    if (state.decrementAndGet() == CLOSED) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  boolean isClosed() {
    return (state.get() & CLOSED) != 0;
  }

  /**
   * Refuses new calls, then waits for the running ones. Returns true for the one caller that
   * closed it and must now free the native object.
   */
  boolean close() {
    long before = state.getAndUpdate(s -> s | CLOSED);
    if ((before & CLOSED) != 0) return false;
    boolean interrupted = false;
    synchronized (this) {
      while (state.get() != CLOSED) {
        try {
          wait();
        } catch (InterruptedException e) {
          // Freeing while calls run would crash the JVM: keep waiting, restore the flag after.
          interrupted = true;
        }
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    return true;
  }
}
