package io.quiver;

/**
 * One segment of an index: the build's, or one {@link QuiverIndex#append append}'s. All segments
 * share the quantizers the build trained.
 *
 * @param firstFile the ordinal of the first file whose rows it holds
 * @param files how many files, from {@code firstFile} on (removed ones included)
 * @param rowsIndexed rows in its posting lists
 * @param bytes size of its binary file
 */
public record SegmentInfo(int firstFile, int files, long rowsIndexed, long bytes) {}
