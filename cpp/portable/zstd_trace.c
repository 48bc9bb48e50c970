/* zstd calls these tracing hooks when they are defined and leaves them as
** weak undefined symbols otherwise: in a shared library the dynamic linker
** would then bind them to whatever definition another library in the
** process exports, and our zstd would hand its contexts to foreign code.
** Defined here, hidden, as "do not trace" (a zero context). */
#include <stddef.h>

#define HOOK __attribute__((visibility("hidden")))

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;
struct ZSTD_Trace;

HOOK unsigned long long ZSTD_trace_compress_begin(const struct ZSTD_CCtx_s* cctx) {
  (void)cctx;
  return 0;
}
HOOK void ZSTD_trace_compress_end(unsigned long long ctx, const struct ZSTD_Trace* trace) {
  (void)ctx;
  (void)trace;
}
HOOK unsigned long long ZSTD_trace_decompress_begin(const struct ZSTD_DCtx_s* dctx) {
  (void)dctx;
  return 0;
}
HOOK void ZSTD_trace_decompress_end(unsigned long long ctx, const struct ZSTD_Trace* trace) {
  (void)ctx;
  (void)trace;
}
