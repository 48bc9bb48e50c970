package io.quiver.spark.internal;

import io.quiver.spark.UnsupportedCorpusException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.BaseDeleteLoader;
import org.apache.iceberg.deletes.PositionDeleteIndex;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.spark.source.SparkTable;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;

/**
 * A corpus scan over an Iceberg table, read with Iceberg's own API: the Parquet data files of the
 * snapshot the DataFrame was resolved at (time travel included), and the rows its position
 * deletes and deletion vectors delete, loaded by Iceberg's delete loader, as the row filter.
 * Equality deletes are refused: they delete by value, which no row filter over positions holds.
 *
 * <p>Only this class names Iceberg's classes, and it is loaded only when a plan reads an Iceberg
 * table, so that applications without Iceberg on the class path never need it.
 */
final class IcebergTables {
  private IcebergTables() {}

  static boolean isIceberg(org.apache.spark.sql.connector.catalog.Table table) {
    // By name first: the check must not load Iceberg's classes where Iceberg is absent.
    return table.getClass().getName().equals("org.apache.iceberg.spark.source.SparkTable");
  }

  static CorpusFiles.Scan scan(DataSourceV2Relation relation, Configuration conf) {
    SparkTable spark = (SparkTable) relation.table();
    Table table = spark.table();
    for (String option : List.of("as-of-timestamp", "snapshot-id", "branch", "tag", "start-snapshot-id")) {
      if (spark.snapshotId() == null && relation.options().containsKey(option)) {
        return CorpusFiles.Scan.copy("the Iceberg table " + table.name() + " is read with the option " + option);
      }
    }
    if (spark.branch() != null) {
      return CorpusFiles.Scan.copy("the Iceberg table " + table.name() + " is read at the branch " + spark.branch());
    }
    Long id = spark.snapshotId();
    if (id == null) {
      Snapshot current = table.currentSnapshot();
      if (current == null) {
        return CorpusFiles.Scan.copy("the Iceberg table " + table.name() + " has no snapshot yet");
      }
      id = current.snapshotId();
    }
    TableSnapshot snapshot = new TableSnapshot("iceberg", table.location(), id);
    Set<String> files = new LinkedHashSet<>();
    Map<String, long[]> deleted = new HashMap<>();
    BaseDeleteLoader loader = new BaseDeleteLoader(d -> table.io().newInputFile(d.location()));
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(id).planFiles()) {
      for (FileScanTask task : tasks) {
        String path = task.file().location();
        if (task.file().format() != FileFormat.PARQUET) {
          return CorpusFiles.Scan.copy("the Iceberg table " + table.name() + " has the " + task.file().format()
              + " data file " + path);
        }
        if (!files.add(path)) {
          continue;
        }
        List<DeleteFile> positional = new ArrayList<>();
        for (DeleteFile d : task.deletes()) {
          if (d.content() == FileContent.EQUALITY_DELETES) {
            throw new UnsupportedCorpusException("the corpus is the Iceberg table " + table.name() + " at snapshot "
                + id + ", whose equality delete file " + d.location() + " deletes rows of " + path
                + " by value; Quiver applies position deletes and deletion vectors only. Rewrite the"
                + " deletes into position deletes (CALL <catalog>.system.rewrite_position_delete_files"
                + " or rewrite_data_files) or pass a copy of the live rows as the corpus");
          }
          positional.add(d);
        }
        if (!positional.isEmpty()) {
          PositionDeleteIndex index = loader.loadPositionDeletes(positional, path);
          long[] rows = new long[(int) index.cardinality()];
          int[] n = {0};
          index.forEach(pos -> rows[n[0]++] = pos);
          deleted.put(qualified(path, conf), rows);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot plan the Iceberg table " + table.name() + ": " + e.getMessage(), e);
    }
    return CorpusFiles.Scan.inPlace(new ArrayList<>(files), snapshot, deleted);
  }

  /** The path as the corpus's file listing names it. */
  private static String qualified(String path, Configuration conf) {
    Path p = new Path(path);
    try {
      return Locations.normalizeLocalFile(p.getFileSystem(conf).makeQualified(p).toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
