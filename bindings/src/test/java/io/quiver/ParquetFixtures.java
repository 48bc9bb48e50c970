package io.quiver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** Parquet files for the tests, written by parquet-java. */
final class ParquetFixtures {

  /** Rows of id (int64), name (string) and embedding (list of float, the 3-level LIST layout). */
  static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
      message row {
        required int64 id;
        required binary name (STRING);
        optional group embedding (LIST) {
          repeated group list {
            required float element;
          }
        }
      }
      """);

  private ParquetFixtures() {}

  /** Writes {@code vectors} (a null entry writes a null vector) with ids from {@code firstId}. */
  static void write(Path file, float[][] vectors, long firstId) throws IOException {
    write(file, vectors, firstId, 256);
  }

  static void write(Path file, float[][] vectors, long firstId, int rowsPerPage) throws IOException {
    Configuration conf = new Configuration(false);
    // The raw local file system writes no .crc files beside the Parquet file.
    conf.setClass("fs.file.impl", RawLocalFileSystem.class, FileSystem.class);
    conf.setBoolean("fs.file.impl.disable.cache", true);
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer = ExampleParquetWriter
        .builder(new org.apache.hadoop.fs.Path(file.toAbsolutePath().toUri()))
        .withConf(conf)
        .withType(SCHEMA)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withPageRowCountLimit(rowsPerPage)
        .withRowGroupSize(64L << 10)
        .build()) {
      for (int i = 0; i < vectors.length; i++) {
        Group g = groups.newGroup().append("id", firstId + i).append("name", "row-" + (firstId + i));
        if (vectors[i] != null) {
          Group list = g.addGroup("embedding");
          for (float v : vectors[i]) list.addGroup("list").append("element", v);
        }
        writer.write(g);
      }
    }
  }

  /** {@code n} vectors of {@code dim} around a few random centres, reproducible from {@code seed}. */
  static float[][] clustered(int n, int dim, long seed) {
    Random r = new Random(seed);
    int centres = 8;
    float[][] c = new float[centres][dim];
    for (float[] row : c) for (int d = 0; d < dim; d++) row[d] = (float) (r.nextGaussian() * 4);
    float[][] v = new float[n][dim];
    for (int i = 0; i < n; i++) {
      float[] centre = c[r.nextInt(centres)];
      for (int d = 0; d < dim; d++) v[i][d] = centre[d] + (float) r.nextGaussian();
    }
    return v;
  }
}
