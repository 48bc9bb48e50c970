package io.quiver.spark.internal;

import io.quiver.FileInfo;
import io.quiver.QuiverIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.network.util.JavaUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's open index handles: one per index, shared by every task (and, in local mode, by the
 * driver), reference counted, kept open while unused so that later tasks find it, and closed when
 * the driver drops the index or the JVM exits.
 *
 * <p>An index on the local filesystem is memory-mapped where it is. One elsewhere (HDFS, an
 * object store) is copied to this machine's disk once, then memory-mapped.
 */
public final class IndexHandles {
  private static final Logger LOG = LoggerFactory.getLogger(IndexHandles.class);

  private static final class Slot {
    final QuiverIndex index;
    final Path localCopy;
    int leases;
    boolean dropped;

    Slot(QuiverIndex index, Path localCopy) {
      this.index = index;
      this.localCopy = localCopy;
    }
  }

  /** Use of an open handle; closing it returns the handle to the cache. */
  public static final class Lease implements AutoCloseable {
    private final String id;
    private final Slot slot;
    private boolean closed;

    private Lease(String id, Slot slot) {
      this.id = id;
      this.slot = slot;
    }

    public QuiverIndex index() {
      return slot.index;
    }

    @Override
    public void close() {
      synchronized (IndexHandles.class) {
        if (closed) {
          return;
        }
        closed = true;
        slot.leases--;
        if (slot.dropped && slot.leases == 0) {
          closeSlot(id, slot);
        }
      }
    }
  }

  private static final Map<String, Slot> SLOTS = new HashMap<>();
  /** One lock per index being opened (see {@link #acquire}). */
  private static final Map<String, Object> OPENING = new java.util.concurrent.ConcurrentHashMap<>();
  private static boolean hookInstalled;

  private IndexHandles() {}

  static long cacheBudget() {
    SparkEnv env = SparkEnv.get();
    String value = env == null ? null : env.conf().getOption(QuiverConf.CACHE_BUDGET).getOrElse(() -> null);
    if (value == null) {
      return QuiverConf.DEFAULT_CACHE_BUDGET_BYTES;
    }
    long bytes;
    try {
      bytes = JavaUtils.byteStringAsBytes(value.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          QuiverConf.CACHE_BUDGET + " must be a size such as 512m or 6g, not '" + value + "'", e);
    }
    if (bytes < 0) {
      throw new IllegalArgumentException(QuiverConf.CACHE_BUDGET + " must not be negative, not '" + value + "'");
    }
    return bytes;
  }

  /** Leases the handle of the index {@code ref}, opening (and if needed copying) it first. */
  public static Lease acquire(IndexRef ref, Configuration conf) {
    return acquire(ref.location(), ref.key(), conf);
  }

  public static Lease acquire(String location, String key, Configuration conf) {
    String id = location + "\n" + key;
    Lease lease = leaseOpen(id);
    if (lease != null) {
      return lease;
    }
    // Copying and opening run outside the JVM-wide lock, one at a time per index: a task that
    // copies a large index from a remote store holds up no task of another index.
    synchronized (OPENING.computeIfAbsent(id, k -> new Object())) {
      lease = leaseOpen(id);
      if (lease != null) {
        return lease;
      }
      Path local = Locations.localPath(location);
      Path copy = null;
      if (local == null) {
        copy = copyToLocalDisk(location, id, conf);
        local = copy;
      }
      QuiverIndex opened = open(local, location, conf);
      try {
        opened.setCacheBudget(cacheBudget());
      } catch (RuntimeException e) {
        opened.close();
        throw e;
      }
      synchronized (IndexHandles.class) {
        installShutdownHook();
        Slot slot = new Slot(opened, copy);
        SLOTS.put(id, slot);
        slot.leases++;
        return new Lease(id, slot);
      }
    }
  }

  /** A lease on the open handle of {@code id}, or null when it is not open. */
  private static synchronized Lease leaseOpen(String id) {
    Slot slot = SLOTS.get(id);
    if (slot == null) {
      return null;
    }
    slot.leases++;
    return new Lease(id, slot);
  }

  /**
   * Forgets the handle of an index that is being deleted or replaced: it closes now if unused,
   * otherwise when its last lease ends.
   */
  public static synchronized void drop(String location, String key) {
    String id = location + "\n" + key;
    Slot slot = SLOTS.get(id);
    if (slot == null) {
      return;
    }
    SLOTS.remove(id);
    slot.dropped = true;
    if (slot.leases == 0) {
      closeSlot(id, slot);
    }
  }

  /** {@link #drop} for every build that lived at {@code location}. */
  public static synchronized void dropLocation(String location) {
    for (String id : List.copyOf(SLOTS.keySet())) {
      if (id.startsWith(location + "\n")) {
        drop(location, id.substring(location.length() + 1));
      }
    }
  }

  /** Number of handles open in this JVM (for tests and diagnostics). */
  public static synchronized int openHandles() {
    return SLOTS.size();
  }

  private static void closeSlot(String id, Slot slot) {
    try {
      slot.index.close();
    } catch (RuntimeException e) {
      LOG.warn("closing the index handle {} failed: {}", id.replace('\n', ' '), e.toString());
    }
    if (slot.localCopy != null) {
      Cleanup.deleteLocalTree(slot.localCopy);
    }
  }

  private static void installShutdownHook() {
    if (hookInstalled) {
      return;
    }
    hookInstalled = true;
    Runtime.getRuntime().addShutdownHook(new Thread(IndexHandles::closeAll, "quiver-index-handles"));
  }

  private static synchronized void closeAll() {
    for (Map.Entry<String, Slot> e : SLOTS.entrySet()) {
      closeSlot(e.getKey(), e.getValue());
    }
    SLOTS.clear();
  }

  /**
   * Opens the index copied or found at {@code local}: through Hadoop when its source files are on
   * another filesystem (their paths as recorded say so), with {@code conf}'s credentials.
   */
  private static QuiverIndex open(Path local, String location, Configuration conf) {
    boolean remoteFiles;
    try (QuiverIndex probe = QuiverIndex.openWithoutFreshnessCheck(local)) {
      remoteFiles = probe.info().files().stream()
          .map(FileInfo::location)
          .anyMatch(f -> Locations.localPath(f) == null);
    }
    if (!remoteFiles) {
      return QuiverIndex.open(local);
    }
    if (conf == null) {
      throw new IllegalStateException("the index at " + location
          + " reads its source files through Hadoop, but no Hadoop configuration was given");
    }
    return QuiverIndex.open(local, HadoopSources.shared(conf));
  }

  private static Path copyToLocalDisk(String location, String id, Configuration conf) {
    Path root = SparkEnv.get() != null ? Path.of(SparkFiles.getRootDirectory()) : Path.of(System.getProperty("java.io.tmpdir"));
    Path target = root.resolve("quiver-index-" + IndexKey.sha256Hex(id));
    if (Files.isDirectory(target)) {
      return target;
    }
    Path partial = root.resolve("quiver-index-" + UUID.randomUUID() + ".partial");
    try {
      org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(location);
      FileSystem fs = src.getFileSystem(conf);
      fs.copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(partial.toUri()), true);
      Files.move(partial, target);
      LOG.info("copied the index {} to {}", location, target);
      return target;
    } catch (IOException e) {
      Cleanup.deleteLocalTree(partial);
      throw new UncheckedIOException("cannot copy the index " + location + " to local disk: " + e.getMessage(), e);
    }
  }

}
