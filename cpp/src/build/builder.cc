#include "build/builder.h"

#include <algorithm>

#include "build/blas_threads.h"
#include "build/encoder.h"
#include "build/input_files.h"
#include "build/list_spill.h"
#include "build/sampler.h"
#include "build/source_files.h"
#include "build/trainer.h"
#include "common/thread_pool.h"
#include "index/index_writer.h"

namespace quiver {
Status BuildIndex(const std::vector<std::string>& paths, const BuildParams& params,
                  const std::string& index_dir, const ProgressFn& progress_fn) {
  ARROW_RETURN_NOT_OK(ValidateBuildParams(params));
  if (index_dir.empty()) return Status::Invalid("index directory is empty");
  Progress progress(progress_fn);
  SingleThreadedBlas blas;
  const int32_t threads = ResolveThreads(params.threads);

  Storage& storage = params.storage ? *params.storage : LocalStorage();
  std::vector<std::string> files;
  if (params.storage) {
    ARROW_ASSIGN_OR_RAISE(files, CheckInputFiles(paths));
  } else {
    ARROW_ASSIGN_OR_RAISE(files, ExpandInputPaths(paths));
  }
  ARROW_ASSIGN_OR_RAISE(ScannedSources sources,
                        ScanSources(files, params.vector_column, &progress, storage));
  const int32_t dim = sources.dim;

  TrainOptions opt;
  opt.dim = dim;
  opt.metric = params.metric;
  opt.seed = params.seed;
  opt.threads = threads;
  if (params.pq_m > 0) {
    if (params.pq_m > dim || dim % params.pq_m != 0) {
      return Status::Invalid("pq_m ", params.pq_m, " does not divide the dimension ", dim);
    }
    opt.pq_m = params.pq_m;
  } else {
    opt.pq_m = DefaultPqM(dim);
  }
  opt.nlist = params.nlist > 0 ? params.nlist : DefaultNlist(sources.rows_total);
  const int64_t sample_rows =
      params.train_sample > 0 ? std::min(params.train_sample, sources.rows_total)
                              : DefaultTrainSample(opt.nlist, sources.rows_total);

  ARROW_ASSIGN_OR_RAISE(Sample sample, ReadSample(sources, params.vector_column, params.metric,
                                                  sample_rows, params.seed, threads, &progress));
  if (sample.n == 0) {
    return Status::Invalid("no usable vector in the training sample of ", sample_rows,
                           " rows of column '", params.vector_column,
                           "' (all null, of the wrong length or not finite)");
  }
  if (sample.n < opt.nlist) {
    if (params.nlist > 0) {
      return Status::Invalid("nlist ", params.nlist, " exceeds the ", sample.n,
                             " usable rows of the training sample");
    }
    opt.nlist = static_cast<int32_t>(sample.n);
  }
  // Made before training so that an unwritable place fails the build early.
  ARROW_ASSIGN_OR_RAISE(std::unique_ptr<ListSpill> spill,
                        ListSpill::Create(index_dir, opt.nlist, opt.pq_m, sources.rows_total));

  ARROW_ASSIGN_OR_RAISE(Quantizers q, Train(sample.vectors.data(), sample.n, opt,
                                            [&](int64_t done, int64_t total) {
                                              return progress.Report(QV_PHASE_TRAIN, done, total);
                                            }));
  sample = Sample();  // the sample's memory goes back before encoding

  ARROW_RETURN_NOT_OK(EncodeSources(&sources, params.vector_column, opt, q, spill.get(), &progress));
  const std::vector<int64_t>& list_sizes = spill->list_sizes();
  int64_t rows_indexed = 0;
  for (int64_t size : list_sizes) rows_indexed += size;

  IndexContents contents;
  Manifest& m = contents.manifest;
  m.params.dim = dim;
  m.params.metric = params.metric;
  m.params.nlist = opt.nlist;
  m.params.pq_m = opt.pq_m;
  m.params.pq_bits = 8;
  m.params.train_sample = sample_rows;
  m.params.seed = params.seed;
  m.params.threads = params.threads;
  m.params.vector_column = params.vector_column;
  m.params.source = params.source;
  m.rows_total = sources.rows_total;
  m.rows_indexed = rows_indexed;
  for (const BuildSource& f : sources.files) {
    SourceFile s;
    s.path = f.path;
    s.rows = f.rows;
    s.rows_indexed = f.rows_indexed;
    s.size_bytes = f.fingerprint.size_bytes;
    s.mtime_ns = f.fingerprint.mtime_ns;
    s.footer_hash = f.fingerprint.footer_hash;
    m.files.push_back(std::move(s));
    m.skipped.null_vector += f.skipped.null_vector;
    m.skipped.wrong_length += f.skipped.wrong_length;
    m.skipped.non_finite += f.skipped.non_finite;
  }
  contents.centroids = q.centroids.data();
  contents.codebooks = q.codebooks.data();
  contents.list_sizes = list_sizes;
  contents.fill_list = [&](int32_t list, uint8_t* codes, uint64_t* keys) {
    return spill->ReadList(list, codes, keys);
  };
  return WriteIndex(index_dir, std::move(contents), [&](int64_t done, int64_t total) {
    return progress.Report(QV_PHASE_WRITE, done, total);
  });
}

}  // namespace quiver
