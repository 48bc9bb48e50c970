package io.quiver.spark.internal;

import io.quiver.spark.UnsupportedCorpusException;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.delta.NoMapping$;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.DeletionVectorDescriptor;
import org.apache.spark.sql.delta.files.TahoeFileIndex;
import org.apache.spark.sql.execution.datasources.FileIndex;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * A corpus scan over a Delta table, read through Delta's own file index (the snapshot the
 * DataFrame was resolved at, time travel included).
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
   * In place with the snapshot's version when its Parquet files ({@code files}, the scan's) hold
   * every live row under the table's column names; a copy under column mapping (the files hold
   * other, physical names).
   *
   * @throws UnsupportedCorpusException when the snapshot deletes rows through deletion vectors
   */
  static CorpusFiles.Scan scan(FileIndex location, List<String> files) {
    TahoeFileIndex delta = (TahoeFileIndex) location;
    TableSnapshot snapshot = new TableSnapshot("delta", delta.path().toString(), delta.version());
    if (delta.metadata().columnMappingMode() != NoMapping$.MODULE$) {
      return CorpusFiles.Scan.copy(
          "the Delta table " + snapshot.table() + " maps its column names to other names in its files");
    }
    long filesWithDeletes = 0;
    long deletedRows = 0;
    Seq<Expression> none = JavaConverters.asScalaBuffer(List.<Expression>of()).toSeq();
    for (AddFile f : JavaConverters.seqAsJavaList(delta.matchingFiles(none, none))) {
      DeletionVectorDescriptor dv = f.deletionVector();
      if (dv != null && !dv.isEmpty()) {
        filesWithDeletes++;
        deletedRows += dv.cardinality();
      }
    }
    if (filesWithDeletes > 0) {
      throw new UnsupportedCorpusException(String.format(
          "the corpus is the Delta table %s at version %d, whose deletion vectors delete %,d rows"
              + " in %,d of its files; Quiver indexes a table's Parquet files in place and does not"
              + " apply deletion vectors yet, so it would return deleted rows. Either purge the"
              + " deletes into the files (REORG TABLE delta.`%s` APPLY (PURGE), with"
              + " delta.enableDeletionVectors set to false for later deletes), or index a copy of"
              + " the live rows: write spark.read().format(\"delta\").load(\"%s\") to Parquet and"
              + " pass that directory as the corpus",
          snapshot.table(), snapshot.version(), deletedRows, filesWithDeletes,
          snapshot.table(), snapshot.table()));
    }
    return CorpusFiles.Scan.inPlace(files, snapshot);
  }
}
