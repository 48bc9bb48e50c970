package io.quiver.spark.internal;

import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Spark reads only microsecond timestamps from Arrow, but Parquet timestamps come back from the
 * engine in their stored unit: nanoseconds for the INT96 timestamps Spark itself writes by
 * default, milliseconds for TIMESTAMP_MILLIS. Top-level timestamp columns are rescaled to
 * microseconds, as Spark's own Parquet reader does; the expected Spark type decides between an
 * instant (TimestampType, UTC) and a local date-time (TimestampNTZType).
 */
final class Timestamps {
  private Timestamps() {}

  static boolean needsConversion(FieldVector v) {
    return v.getField().getType() instanceof ArrowType.Timestamp t && t.getUnit() != TimeUnit.MICROSECOND;
  }

  /** The field as it reads after {@link #toMicros}. */
  static Field asMicros(Field f, DataType expected) {
    if (!(f.getType() instanceof ArrowType.Timestamp t) || t.getUnit() == TimeUnit.MICROSECOND) {
      return f;
    }
    String tz = expected instanceof TimestampType ? "UTC" : null;
    return new Field(f.getName(),
        new FieldType(f.isNullable(), new ArrowType.Timestamp(TimeUnit.MICROSECOND, tz), null), null);
  }

  /** A new microsecond vector with the values of {@code v}; the caller closes it. */
  static FieldVector toMicros(FieldVector v, DataType expected) {
    TimeUnit unit = ((ArrowType.Timestamp) v.getField().getType()).getUnit();
    TimeStampVector in = (TimeStampVector) v;
    Field field = asMicros(v.getField(), expected);
    TimeStampVector out = expected instanceof TimestampType
        ? new TimeStampMicroTZVector(field, v.getAllocator())
        : new TimeStampMicroVector(field, v.getAllocator());
    int n = v.getValueCount();
    out.allocateNew(n);
    for (int i = 0; i < n; i++) {
      if (!in.isNull(i)) {
        long x = in.get(i);
        out.set(i, switch (unit) {
          case NANOSECOND -> Math.floorDiv(x, 1000L);
          case MILLISECOND -> Math.multiplyExact(x, 1000L);
          case SECOND -> Math.multiplyExact(x, 1_000_000L);
          case MICROSECOND -> x;
        });
      }
    }
    out.setValueCount(n);
    return out;
  }
}
