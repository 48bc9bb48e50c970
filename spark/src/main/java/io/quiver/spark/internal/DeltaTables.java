package io.quiver.spark.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.delta.NoMapping$;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.DeletionVectorDescriptor;
import org.apache.spark.sql.delta.deletionvectors.StoredBitmap;
import org.apache.spark.sql.delta.files.TahoeFileIndex;
import org.apache.spark.sql.delta.storage.dv.DeletionVectorStore;
import org.apache.spark.sql.delta.storage.dv.DeletionVectorStore$;
import org.apache.spark.sql.execution.datasources.FileIndex;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * A corpus scan over a Delta table, read through Delta's own file index (the snapshot the
 * DataFrame was resolved at, time travel included). The snapshot's deletion vectors, read with
 * Delta's own reader, become the rows the index never returns: a DELETE needs no rebuild.
 *
 * <p>Only this class names Delta's classes, and it is loaded only when a plan holds Delta's file
 * index, so that applications without Delta on the class path never need it.
 */
final class DeltaTables {
  private DeltaTables() {}

  static boolean isDelta(FileIndex location) {
    // By name first: the check must not load Delta's classes where Delta is absent.
    return location.getClass().getName().startsWith("org.apache.spark.sql.delta.")
        && location instanceof TahoeFileIndex;
  }

  /**
   * In place with the snapshot's version and its deleted rows when its Parquet files ({@code
   * files}, the scan's) hold the table's columns under their own names; a copy under column
   * mapping (the files hold other, physical names).
   */
  static CorpusFiles.Scan scan(FileIndex location, List<String> files, Configuration conf) {
    TahoeFileIndex delta = (TahoeFileIndex) location;
    TableSnapshot snapshot = new TableSnapshot("delta", delta.path().toString(), delta.version());
    if (delta.metadata().columnMappingMode() != NoMapping$.MODULE$) {
      return CorpusFiles.Scan.copy(
          "the Delta table " + snapshot.table() + " maps its column names to other names in its files");
    }
    Map<String, long[]> deleted = new HashMap<>();
    DeletionVectorStore store = null;
    Seq<Expression> none = JavaConverters.asScalaBuffer(List.<Expression>of()).toSeq();
    for (AddFile f : JavaConverters.seqAsJavaList(delta.matchingFiles(none, none))) {
      DeletionVectorDescriptor dv = f.deletionVector();
      if (dv == null || dv.isEmpty()) {
        continue;
      }
      if (store == null) {
        store = DeletionVectorStore$.MODULE$.createInstance(conf);
      }
      // Row positions within the file, as Delta's own reader applies them.
      long[] rows = StoredBitmap.create(dv, delta.path()).load(store).values();
      deleted.put(Locations.normalizeLocalFile(delta.absolutePath(f.path()).toString()), rows);
    }
    return CorpusFiles.Scan.inPlace(files, snapshot, deleted);
  }
}
