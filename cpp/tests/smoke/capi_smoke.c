/* The whole native path as a foreign caller sees it: a C program linked
** against libquiver.so alone builds an index over a Parquet file, opens it,
** searches it with vectors fetched back from the file, and fetches the rows
** it found through the Arrow C stream interface. It runs on every platform
** the library is built for (under qemu-user for linux-aarch64).
**
**   quiver_capi_smoke DATA.parquet INDEX_DIR ROWS DIM
**
** DATA.parquet holds ROWS rows: "id" (int64, the row number) and "v"
** (list<float> of DIM), as write_smoke_data writes it. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiver/quiver.h"

#define K 5
#define N_PROBES 3

static void fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("capi smoke: FAILED: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void check(qv_status st, const char* what) {
  if (st != QV_OK) fail("%s: %s: %s", what, qv_status_name(st), qv_last_error());
}

/* Fetches `n` rows of the columns "id" and "v" and copies them out, in the
** order of `keys`, checking the stream's shape on the way. */
static void fetch_rows(qv_index* index, const uint64_t* keys, int64_t n, int32_t dim,
                       int64_t* ids, float* vectors) {
  const char* columns[] = {"id", "v"};
  struct ArrowArrayStream stream;
  check(qv_fetch(index, keys, n, columns, 2, NULL, &stream), "qv_fetch");

  struct ArrowSchema schema;
  if (stream.get_schema(&stream, &schema) != 0) fail("get_schema: %s", stream.get_last_error(&stream));
  if (strcmp(schema.format, "+s") != 0 || schema.n_children != 2 ||
      strcmp(schema.children[0]->name, "id") != 0 || strcmp(schema.children[0]->format, "l") != 0 ||
      strcmp(schema.children[1]->name, "v") != 0 || strcmp(schema.children[1]->format, "+l") != 0 ||
      strcmp(schema.children[1]->children[0]->format, "f") != 0) {
    fail("fetched schema is not struct<id: int64, v: list<float>>");
  }
  schema.release(&schema);

  int64_t got = 0;
  for (;;) {
    struct ArrowArray batch;
    if (stream.get_next(&stream, &batch) != 0) fail("get_next: %s", stream.get_last_error(&stream));
    if (batch.release == NULL) break;
    const struct ArrowArray* id = batch.children[0];
    const struct ArrowArray* v = batch.children[1];
    const struct ArrowArray* values = v->children[0];
    if (id->null_count != 0 || v->null_count != 0 || values->null_count != 0) fail("fetched nulls");
    const int64_t* id_data = (const int64_t*)id->buffers[1];
    const int32_t* offsets = (const int32_t*)v->buffers[1];
    const float* floats = (const float*)values->buffers[1];
    for (int64_t i = 0; i < batch.length; ++i, ++got) {
      if (got >= n) fail("the stream holds more than the %lld rows asked for", (long long)n);
      ids[got] = id_data[batch.offset + id->offset + i];
      int64_t at = batch.offset + v->offset + i;
      if (offsets[at + 1] - offsets[at] != dim) fail("row %lld: vector of the wrong length", (long long)got);
      memcpy(vectors + got * dim, floats + values->offset + offsets[at], sizeof(float) * (size_t)dim);
    }
    batch.release(&batch);
  }
  stream.release(&stream);
  if (got != n) fail("fetched %lld rows, asked for %lld", (long long)got, (long long)n);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s DATA.parquet INDEX_DIR ROWS DIM\n", argv[0]);
    return 2;
  }
  const char* data = argv[1];
  const char* index_dir = argv[2];
  const int64_t rows = atoll(argv[3]);
  const int32_t dim = atoi(argv[4]);

  /* Build: every partition probed below (nprobes >= nlist), so the exact
  ** refinement must find each query's own row. */
  qv_build_params* params;
  check(qv_build_params_create(&params), "qv_build_params_create");
  check(qv_build_params_set_vector_column(params, "v"), "set_vector_column");
  check(qv_build_params_set_metric(params, QV_METRIC_L2), "set_metric");
  check(qv_build_params_set_nlist(params, 8), "set_nlist");
  check(qv_build_params_set_pq_m(params, dim / 4), "set_pq_m");
  check(qv_build_params_set_threads(params, 2), "set_threads");
  const char* paths[] = {data};
  check(qv_build(paths, 1, params, index_dir, NULL, NULL), "qv_build");
  qv_build_params_destroy(params);

  qv_index* index;
  check(qv_index_open(index_dir, 0, &index), "qv_index_open");
  qv_index_info info;
  check(qv_index_get_info(index, &info), "qv_index_get_info");
  if (info.dim != dim || info.rows_indexed != rows || info.n_files != 1 || info.nlist != 8) {
    fail("index info: dim %d, rows_indexed %lld, files %d, nlist %d", info.dim,
         (long long)info.rows_indexed, info.n_files, info.nlist);
  }

  /* Queries: rows of the file itself, read back through fetch. */
  uint64_t probes[N_PROBES] = {QV_ROW_KEY(0, 0), QV_ROW_KEY(0, rows / 2), QV_ROW_KEY(0, rows - 1)};
  int64_t probe_ids[N_PROBES];
  float* queries = malloc(sizeof(float) * N_PROBES * (size_t)dim);
  fetch_rows(index, probes, N_PROBES, dim, probe_ids, queries);
  for (int q = 0; q < N_PROBES; ++q) {
    if (probe_ids[q] != (int64_t)QV_ROW_KEY_ROW(probes[q])) fail("fetched id %lld for row %u",
        (long long)probe_ids[q], QV_ROW_KEY_ROW(probes[q]));
  }

  qv_search_params* sp;
  check(qv_search_params_create(&sp), "qv_search_params_create");
  check(qv_search_params_set_nprobes(sp, 8), "set_nprobes");
  uint64_t keys[N_PROBES * K];
  float distances[N_PROBES * K];
  for (int q = 0; q < N_PROBES; ++q) {
    check(qv_search(index, queries + q * dim, dim, K, sp, NULL, keys + q * K, distances + q * K),
          "qv_search");
    if (keys[q * K] != probes[q] || distances[q * K] != 0.0f) {
      fail("query %d: nearest is row %u at %g, want row %u at 0", q, QV_ROW_KEY_ROW(keys[q * K]),
           distances[q * K], QV_ROW_KEY_ROW(probes[q]));
    }
  }
  uint64_t batch_keys[N_PROBES * K];
  float batch_distances[N_PROBES * K];
  check(qv_search_batch(index, queries, N_PROBES, dim, K, sp, NULL, batch_keys, batch_distances),
        "qv_search_batch");
  if (memcmp(keys, batch_keys, sizeof keys) != 0 ||
      memcmp(distances, batch_distances, sizeof distances) != 0) {
    fail("qv_search_batch differs from qv_search");
  }

  /* The rows found, fetched: their ids are their row numbers and their
  ** refined distances are the exact ones. */
  int64_t ids[N_PROBES * K];
  float* found = malloc(sizeof(float) * N_PROBES * K * (size_t)dim);
  fetch_rows(index, keys, N_PROBES * K, dim, ids, found);
  for (int i = 0; i < N_PROBES * K; ++i) {
    if (ids[i] != (int64_t)QV_ROW_KEY_ROW(keys[i])) fail("result %d: id %lld in row %u", i,
        (long long)ids[i], QV_ROW_KEY_ROW(keys[i]));
    const float* query = queries + (i / K) * dim;
    double exact = 0;
    for (int d = 0; d < dim; ++d) {
      double diff = (double)query[d] - found[(size_t)i * dim + d];
      exact += diff * diff;
    }
    if (fabs(exact - distances[i]) > 1e-4 * (exact + 1)) {
      fail("result %d: distance %g, exact %g", i, distances[i], exact);
    }
    if (i % K != 0 && distances[i] < distances[i - 1]) fail("results of query %d out of order", i / K);
  }

  /* Bad input is refused with a message, and the index stays usable. */
  if (qv_search(index, queries, dim + 1, K, sp, NULL, keys, distances) != QV_ERR_INVALID_ARGUMENT ||
      qv_last_error()[0] == '\0') {
    fail("a query of the wrong dimension was not refused");
  }

  qv_search_params_destroy(sp);
  qv_index_close(index);
  free(found);
  free(queries);
  printf("capi smoke: OK (libquiver %s: %lld rows of dim %d, %d queries, k %d)\n", qv_version(),
         (long long)rows, dim, N_PROBES, K);
  return 0;
}
