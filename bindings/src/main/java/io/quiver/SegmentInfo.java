package io.quiver;

/**
 * One segment of an index: the build's, or one {@link QuiverIndex#append append}'s. All segments
 * share the quantizers the build trained; the errors tell how well those fit the segment's rows.
 *
 * @param firstFile the ordinal of the first file whose rows it holds
 * @param files how many files, from {@code firstFile} on (removed ones included)
 * @param rowsIndexed rows in its posting lists
 * @param bytes size of its binary file
 * @param meanCoarseError mean squared distance of its rows to their list's centroid
 * @param meanPqError mean squared error of its rows' PQ reconstruction (0: not recorded)
 * @param imbalance FAISS's imbalance factor of its lists, nlist * sum(size^2) / rows^2: 1 when
 *     every list holds as many rows
 */
public record SegmentInfo(int firstFile, int files, long rowsIndexed, long bytes, double meanCoarseError,
    double meanPqError, double imbalance) {}
