/* The one libgfortran function that the part of OpenBLAS's LAPACK linked
** into libquiver.so calls (FAISS's k-means and PQ training reach a few
** LAPACK routines written in Fortran): string concatenation as gfortran
** 8+ emits it, with size_t lengths. Providing it here spares shipping
** libgfortran and libquadmath; a new reference to any other _gfortran_*
** function fails the link (--no-undefined) rather than going unnoticed.
** Semantics as libgfortran's intrinsics/string_intrinsics_inc.c: copy
** s1 then s2 into dest, truncated to destlen, blank-padded. */
#include <stddef.h>
#include <string.h>

__attribute__((visibility("hidden"))) void _gfortran_concat_string(size_t destlen, char* dest, size_t len1,
                                                                     const char* s1, size_t len2,
                                                                     const char* s2) {
  if (len1 >= destlen) {
    memcpy(dest, s1, destlen);
    return;
  }
  memcpy(dest, s1, len1);
  dest += len1;
  destlen -= len1;
  if (len2 >= destlen) {
    memcpy(dest, s2, destlen);
    return;
  }
  memcpy(dest, s2, len2);
  memset(dest + len2, ' ', destlen - len2);
}
