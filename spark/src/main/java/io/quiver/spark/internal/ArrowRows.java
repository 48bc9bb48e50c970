package io.quiver.spark.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Function1;

/**
 * Turns fetched Arrow batches into Spark rows through Spark's own Arrow column vectors, so that
 * every type Spark maps from Arrow (nested ones included) converts as Spark converts it.
 */
public final class ArrowRows {
  private ArrowRows() {}

  /**
   * Reads all batches of {@code reader}, whose columns are {@code schema}'s fields in order, into
   * external rows. The reader is left open (its owner closes it).
   */
  public static List<Row> readAll(ArrowReader reader, StructType schema) {
    @SuppressWarnings("unchecked")
    Function1<Object, Object> toRow =
        (Function1<Object, Object>) CatalystTypeConverters.createToScalaConverter(schema);
    List<Row> out = new ArrayList<>();
    try {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      checkSchema(root, schema);
      while (reader.loadNextBatch()) {
        List<FieldVector> vectors = root.getFieldVectors();
        List<FieldVector> converted = new ArrayList<>();
        try {
          ColumnVector[] columns = new ColumnVector[vectors.size()];
          for (int i = 0; i < columns.length; i++) {
            FieldVector v = vectors.get(i);
            if (Timestamps.needsConversion(v)) {
              v = Timestamps.toMicros(v, schema.fields()[i].dataType());
              converted.add(v);
            }
            columns[i] = new ArrowColumnVector(v);
          }
          ColumnarBatch batch = new ColumnarBatch(columns, root.getRowCount());
          for (int r = 0; r < batch.numRows(); r++) {
            out.add((Row) toRow.apply(batch.getRow(r)));
          }
        } finally {
          converted.forEach(FieldVector::close);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading fetched rows failed: " + e.getMessage(), e);
    }
    return out;
  }

  private static void checkSchema(VectorSchemaRoot root, StructType schema) {
    var fields = root.getSchema().getFields();
    if (fields.size() != schema.size()) {
      throw new IllegalStateException(
          "fetched " + fields.size() + " columns, expected " + schema.size() + " (" + schema.simpleString() + ")");
    }
    for (int i = 0; i < fields.size(); i++) {
      StructField expected = schema.fields()[i];
      DataType actual;
      try {
        actual = ArrowUtils.fromArrowField(Timestamps.asMicros(fields.get(i), expected.dataType()));
      } catch (RuntimeException e) {
        throw new UnsupportedOperationException(
            "column '" + expected.name() + "' is read from Parquet as Arrow " + fields.get(i).getType()
                + ", which Spark cannot convert: " + e.getMessage(), e);
      }
      if (!DataType.equalsIgnoreCaseAndNullability(actual, expected.dataType())) {
        throw new UnsupportedOperationException(
            "column '" + expected.name() + "' is read from Parquet as " + actual.simpleString()
                + " but Spark reads it as " + expected.dataType().simpleString());
      }
    }
  }
}
