package io.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.ffi.quiver_h;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each exception type, produced for real by a real bad input. */
class ErrorsTest {

  @TempDir Path tmp;

  private Corpus built() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    corpus.build();
    return corpus;
  }

  @Test
  void aChangedSourceFileMakesTheIndexStaleNamingTheFile() throws IOException {
    Corpus corpus = built();
    Path changed = corpus.files.get(1);
    ParquetFixtures.write(changed, ParquetFixtures.clustered(Corpus.ROWS[1], Corpus.DIM, 5), 0);
    Files.setLastModifiedTime(changed, FileTime.fromMillis(System.currentTimeMillis() + 5000));

    StaleIndexException e = assertThrows(StaleIndexException.class, () -> QuiverIndex.open(corpus.indexDir));
    assertEquals(quiver_h.QV_ERR_STALE_INDEX, e.status());
    assertEquals("STALE_INDEX", e.statusName());
    assertEquals(changed.toRealPath(), e.file().orElseThrow().toRealPath());
    assertTrue(e.getMessage().contains(changed.getFileName().toString()), e.getMessage());

    StaleIndexException v = assertThrows(StaleIndexException.class, () -> QuiverIndex.verify(corpus.indexDir));
    assertEquals(changed.toRealPath(), v.file().orElseThrow().toRealPath());
  }

  @Test
  void aMissingSourceFileMakesTheIndexStale() throws IOException {
    Corpus corpus = built();
    Files.delete(corpus.files.get(2));
    StaleIndexException e = assertThrows(StaleIndexException.class, () -> QuiverIndex.open(corpus.indexDir));
    assertEquals(corpus.files.get(2).toAbsolutePath().normalize(), e.file().orElseThrow());
  }

  @Test
  void aDamagedIndexIsCorrupt() throws IOException {
    Corpus corpus = built();
    QuiverIndex.verify(corpus.indexDir);
    List<Path> indexFiles;
    try (Stream<Path> s = Files.walk(corpus.indexDir)) {
      indexFiles = s.filter(Files::isRegularFile).sorted().toList();
    }
    assertFalse(indexFiles.isEmpty());
    // Damage the middle of the largest index file: checksums must catch it.
    Path largest = indexFiles.stream().max((a, b) -> Long.compare(size(a), size(b))).orElseThrow();
    try (RandomAccessFile f = new RandomAccessFile(largest.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x5A);
    }
    CorruptIndexException e = assertThrows(CorruptIndexException.class, () -> {
      QuiverIndex.verify(corpus.indexDir);
    });
    assertEquals(quiver_h.QV_ERR_CORRUPT_INDEX, e.status());
    assertFalse(e.getMessage().isEmpty());
  }

  @Test
  void aTruncatedIndexIsCorruptAtOpen() throws IOException {
    Corpus corpus = built();
    try (Stream<Path> s = Files.walk(corpus.indexDir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
          f.setLength(f.length() / 3);
        }
      }
    }
    assertThrows(CorruptIndexException.class, () -> QuiverIndex.open(corpus.indexDir).close());
  }

  @Test
  void aQueryOfTheWrongDimensionIsAnInvalidArgument() throws IOException {
    Corpus corpus = built();
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir)) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> index.search(new float[Corpus.DIM + 1], 3));
      assertEquals(quiver_h.QV_ERR_INVALID_ARGUMENT, e.status());
      assertThrows(InvalidArgumentException.class,
          () -> index.searchBatch(new float[][] {new float[3], new float[3]}, 3, SearchParams.defaults()));
    }
  }

  @Test
  void anUnknownColumnIsNotFound() throws IOException {
    Corpus corpus = built();
    try (QuiverIndex index = QuiverIndex.open(corpus.indexDir);
        BufferAllocator allocator = new RootAllocator()) {
      NotFoundException e = assertThrows(NotFoundException.class,
          () -> index.fetchRows(List.of(new RowKey(0, 1)), List.of("id", "no_such_column"), allocator));
      assertTrue(e.getMessage().contains("no_such_column"), e.getMessage());
      assertEquals(0, allocator.getAllocatedMemory(), "a failed fetch leaves nothing allocated");
      assertThrows(InvalidArgumentException.class,
          () -> index.fetchRows(List.of(new RowKey(7, 1)), List.of("id"), allocator));
    }
    assertThrows(NotFoundException.class, () -> QuiverIndex.build(List.of(corpus.dataDir),
        tmp.resolve("other"), BuildParams.builder().vectorColumn("nope").build(), null));
    assertThrows(NotFoundException.class, () -> QuiverIndex.open(tmp.resolve("no-index-here")));
  }

  @Test
  void aVectorColumnOfStringsIsUnsupported() throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType(
        "message m { required int64 id; required binary embedding (STRING); }");
    Path file = Files.createDirectories(tmp.resolve("strings")).resolve("s.parquet");
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration(false);
    conf.setClass("fs.file.impl", org.apache.hadoop.fs.RawLocalFileSystem.class, org.apache.hadoop.fs.FileSystem.class);
    conf.setBoolean("fs.file.impl.disable.cache", true);
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<org.apache.parquet.example.data.Group> w = ExampleParquetWriter
        .builder(new org.apache.hadoop.fs.Path(file.toUri())).withConf(conf).withType(schema).build()) {
      for (int i = 0; i < 10; i++) w.write(groups.newGroup().append("id", (long) i).append("embedding", "x" + i));
    }
    UnsupportedInputException e = assertThrows(UnsupportedInputException.class,
        () -> QuiverIndex.build(List.of(file), tmp.resolve("idx"), BuildParams.defaults(), null));
    assertTrue(e.getMessage().contains("embedding"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("idx").resolve("manifest")), "no index left behind");
  }

  @Test
  void aThrowingListenerCancelsTheBuildAndIsRethrown() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    IllegalStateException boom = new IllegalStateException("stop here");
    IllegalStateException thrown = assertThrows(IllegalStateException.class,
        () -> QuiverIndex.build(List.of(corpus.dataDir), corpus.indexDir, corpus.buildParams(),
            (phase, done, total) -> {
              if (phase == BuildPhase.SAMPLE || phase == BuildPhase.TRAIN) throw boom;
            }));
    assertSame(boom, thrown);
    assertEquals(1, thrown.getSuppressed().length);
    assertTrue(thrown.getSuppressed()[0] instanceof CancelledException, thrown.getSuppressed()[0].toString());
    assertThrows(QuiverException.class, () -> QuiverIndex.open(corpus.indexDir));
  }

  @Test
  void anInterruptedBuildIsCancelled() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    Thread.currentThread().interrupt();
    try {
      assertThrows(CancelledException.class, () -> QuiverIndex.build(List.of(corpus.dataDir),
          corpus.indexDir, corpus.buildParams(), ProgressListener.none()));
    } finally {
      Thread.interrupted();
    }
    corpus.build();
    QuiverIndex.verify(corpus.indexDir);
  }

  @Test
  void anIndexDirectoryThatCannotBeCreatedIsAnIOError() throws IOException {
    Corpus corpus = new Corpus(tmp, Metric.L2);
    Path blocker = Files.writeString(tmp.resolve("a-regular-file"), "not a directory");
    QuiverIOException e = assertThrows(QuiverIOException.class, () -> QuiverIndex.build(
        List.of(corpus.dataDir), blocker.resolve("index"), corpus.buildParams(), null));
    assertEquals(quiver_h.QV_ERR_IO, e.status());
    assertTrue(e.getMessage().contains("a-regular-file"), e.getMessage());
  }

  @Test
  void badParametersAreRefusedBeforeTheLibrary() {
    assertThrows(IllegalArgumentException.class, () -> SearchParams.builder().nprobes(0));
    assertThrows(IllegalArgumentException.class, () -> SearchParams.builder().ioConcurrency(0));
    assertThrows(InvalidArgumentException.class, () -> QuiverIndex.build(List.of(tmp),
        tmp.resolve("i"), BuildParams.builder().nlist(-1).build(), null));
    assertThrows(UnsupportedInputException.class, () -> QuiverIndex.build(List.of(tmp),
        tmp.resolve("i"), BuildParams.builder().pqBits(4).build(), null));
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }
}
