package io.quiver;

import java.util.List;

/**
 * What an open index holds and how it was built.
 *
 * @param formatVersion the on-disk format version
 * @param dim vector dimension
 * @param metric the distance the index was built for
 * @param nlist number of IVF partitions
 * @param pqM number of PQ sub-quantizers
 * @param pqBits bits per PQ code
 * @param threads the build's thread parameter
 * @param rowsTotal rows in all source files
 * @param rowsIndexed rows with a usable vector
 * @param rowsSkippedNull rows skipped because the vector was null
 * @param rowsSkippedLength rows skipped because the vector had the wrong length
 * @param rowsSkippedNonFinite rows skipped because the vector held NaN or infinity
 * @param trainSample rows used for training
 * @param indexBytes size of the index files on disk
 * @param seed the build's random seed
 * @param vectorColumn the Parquet column the vectors came from
 * @param source what the files were taken from, as the builder said ({@link
 *     BuildParams.Builder#source}); empty for plain files
 * @param files the source files, by ordinal
 */
public record IndexInfo(
    int formatVersion,
    int dim,
    Metric metric,
    int nlist,
    int pqM,
    int pqBits,
    int threads,
    long rowsTotal,
    long rowsIndexed,
    long rowsSkippedNull,
    long rowsSkippedLength,
    long rowsSkippedNonFinite,
    long trainSample,
    long indexBytes,
    long seed,
    String vectorColumn,
    String source,
    List<FileInfo> files) {

  public IndexInfo {
    files = List.copyOf(files);
  }
}
