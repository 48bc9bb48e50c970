#include "build/builder.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "build/blas_threads.h"
#include "build/encoder.h"
#include "build/input_files.h"
#include "build/list_spill.h"
#include "build/sampler.h"
#include "build/source_files.h"
#include "build/trainer.h"
#include "build/vector_math.h"
#include "common/thread_pool.h"
#include "index/index_writer.h"
#include "index/mmap_index_reader.h"

namespace quiver {
namespace {

Result<std::vector<std::string>> InputFiles(const std::vector<std::string>& paths, const BuildParams& params) {
  if (params.storage) return CheckInputFiles(paths);
  return ExpandInputPaths(paths);
}

// The quantizers of an existing index, with the options they were trained with.
Result<Quantizers> QuantizersOf(const MmapIndexReader& index, TrainOptions* opt) {
  const IndexParams& p = index.params();
  opt->dim = p.dim;
  opt->metric = p.metric;
  opt->nlist = p.nlist;
  opt->pq_m = p.pq_m;
  Quantizers q;
  q.centroids.assign(index.centroids(), index.centroids() + static_cast<size_t>(p.nlist) * p.dim);
  q.codebooks.assign(index.pq_codebooks(), index.pq_codebooks() + static_cast<size_t>(p.pq_m) * kPqCentroids *
                                                                       (p.dim / p.pq_m));
  return q;
}

Status CheckDimension(const ScannedSources& sources, int32_t dim, const std::string& index_dir) {
  if (sources.dim != dim) {
    return Status::Invalid("the files' vectors have ", sources.dim, " dimensions; the index at '", index_dir,
                           "' has ", dim);
  }
  return Status::OK();
}

// The mean errors of the files' encoded rows.
EncodingError ErrorOf(const ScannedSources& sources) {
  double coarse = 0, pq = 0;
  int64_t rows = 0;
  for (const BuildSource& f : sources.files) {
    coarse += f.coarse_error;
    pq += f.pq_error;
    rows += f.rows_indexed;
  }
  EncodingError e;
  if (rows > 0) {
    e.coarse = coarse / static_cast<double>(rows);
    e.pq = pq / static_cast<double>(rows);
  }
  return e;
}

// The files as a manifest records them, with their skip counts and errors.
SegmentFiles Describe(const ScannedSources& sources) {
  SegmentFiles d;
  for (const BuildSource& f : sources.files) {
    SourceFile s;
    s.path = f.path;
    s.rows = f.rows;
    s.rows_indexed = f.rows_indexed;
    s.size_bytes = f.fingerprint.size_bytes;
    s.mtime_ns = f.fingerprint.mtime_ns;
    s.footer_hash = f.fingerprint.footer_hash;
    d.files.push_back(std::move(s));
    d.skipped.null_vector += f.skipped.null_vector;
    d.skipped.wrong_length += f.skipped.wrong_length;
    d.skipped.non_finite += f.skipped.non_finite;
  }
  d.error = ErrorOf(sources);
  return d;
}

// nlist and pq_m as a build chooses them for `rows` rows of `dim` dimensions.
Status ChooseShape(const BuildParams& params, int32_t dim, int64_t rows, TrainOptions* opt) {
  if (params.pq_m > 0) {
    if (params.pq_m > dim || dim % params.pq_m != 0) {
      return Status::Invalid("pq_m ", params.pq_m, " does not divide the dimension ", dim);
    }
    opt->pq_m = params.pq_m;
  } else {
    opt->pq_m = DefaultPqM(dim);
  }
  opt->nlist = params.nlist > 0 ? params.nlist : DefaultNlist(rows);
  return Status::OK();
}

// A sample of `usable` rows trains at most that many lists.
Status FitListsToSample(const BuildParams& params, int64_t usable, TrainOptions* opt) {
  if (usable < opt->nlist) {
    if (params.nlist > 0) {
      return Status::Invalid("nlist ", params.nlist, " exceeds the ", usable, " usable rows of the training sample");
    }
    opt->nlist = static_cast<int32_t>(usable);
  }
  return Status::OK();
}

IndexParams ParamsOf(const TrainOptions& opt, const BuildParams& params, int64_t sample_rows) {
  IndexParams p;
  p.dim = opt.dim;
  p.metric = opt.metric;
  p.nlist = opt.nlist;
  p.pq_m = opt.pq_m;
  p.pq_bits = 8;
  p.train_sample = sample_rows;
  p.seed = params.seed;
  p.threads = params.threads;
  p.vector_column = params.vector_column;
  p.source = params.source;
  return p;
}

WriteProgress WritePhase(Progress* progress) {
  return [progress](int64_t done, int64_t total) { return progress->Report(QV_PHASE_WRITE, done, total); };
}

}  // namespace

Status BuildIndex(const std::vector<std::string>& paths, const BuildParams& params,
                  const std::string& index_dir, const ProgressFn& progress_fn) {
  ARROW_RETURN_NOT_OK(ValidateBuildParams(params));
  if (index_dir.empty()) return Status::Invalid("index directory is empty");
  Progress progress(progress_fn);
  SingleThreadedBlas blas;
  const int32_t threads = ResolveThreads(params.threads);

  Storage& storage = params.storage ? *params.storage : LocalStorage();
  ARROW_ASSIGN_OR_RAISE(std::vector<std::string> files, InputFiles(paths, params));
  ARROW_ASSIGN_OR_RAISE(ScannedSources sources,
                        ScanSources(files, params.vector_column, &progress, storage));
  const int32_t dim = sources.dim;

  TrainOptions opt;
  opt.dim = dim;
  opt.metric = params.metric;
  opt.seed = params.seed;
  opt.threads = threads;
  int64_t sample_rows = 0;
  Quantizers q;
  std::unique_ptr<ListSpill> spill;
  if (!params.quantizers_from.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto from, MmapIndexReader::OpenMapped(params.quantizers_from, /*check_freshness=*/false));
    ARROW_ASSIGN_OR_RAISE(q, QuantizersOf(*from, &opt));
    ARROW_RETURN_NOT_OK(CheckDimension(sources, opt.dim, params.quantizers_from));
    sample_rows = from->params().train_sample;
    ARROW_ASSIGN_OR_RAISE(spill, ListSpill::Create(index_dir, opt.nlist, opt.pq_m, sources.rows_total));
  } else {
    ARROW_RETURN_NOT_OK(ChooseShape(params, dim, sources.rows_total, &opt));
    sample_rows = params.train_sample > 0 ? std::min(params.train_sample, sources.rows_total)
                                          : DefaultTrainSample(opt.nlist, sources.rows_total);

    ARROW_ASSIGN_OR_RAISE(Sample sample, ReadSample(sources, params.vector_column, params.metric,
                                                    sample_rows, params.seed, threads, &progress));
    if (sample.n == 0) {
      return Status::Invalid("no usable vector in the training sample of ", sample_rows,
                             " rows of column '", params.vector_column,
                             "' (all null, of the wrong length or not finite)");
    }
    ARROW_RETURN_NOT_OK(FitListsToSample(params, sample.n, &opt));
    // Made before training so that an unwritable place fails the build early.
    ARROW_ASSIGN_OR_RAISE(spill, ListSpill::Create(index_dir, opt.nlist, opt.pq_m, sources.rows_total));
    ARROW_ASSIGN_OR_RAISE(q, Train(sample.vectors.data(), sample.n, opt, [&](int64_t done, int64_t total) {
                            return progress.Report(QV_PHASE_TRAIN, done, total);
                          }));
  }  // the sample's memory goes back before encoding

  ARROW_RETURN_NOT_OK(EncodeSources(&sources, params.vector_column, opt, q, spill.get(), &progress));

  IndexContents contents;
  Manifest& m = contents.manifest;
  m.params = ParamsOf(opt, params, sample_rows);
  const SegmentFiles described = Describe(sources);
  m.Add(described);
  m.base_error = described.error;
  contents.centroids = q.centroids.data();
  contents.codebooks = q.codebooks.data();
  contents.list_sizes = spill->list_sizes();
  contents.fill_list = [&](int32_t list, uint8_t* codes, uint64_t* keys) {
    return spill->ReadList(list, codes, keys);
  };
  return WriteIndex(index_dir, std::move(contents), WritePhase(&progress));
}

Status TrainIndex(const float* sample, int64_t n, int32_t dim, int64_t corpus_rows, const BuildParams& params,
                  const std::string& index_dir, const ProgressFn& progress_fn) {
  ARROW_RETURN_NOT_OK(ValidateBuildParams(params));
  if (index_dir.empty()) return Status::Invalid("index directory is empty");
  if (dim <= 0) return Status::Invalid("dimension must be > 0, got ", dim);
  if (n <= 0) return Status::Invalid("the training sample is empty");
  if (sample == nullptr) return Status::Invalid("the training sample is NULL");
  for (int64_t i = 0; i < n * dim; ++i) {
    if (!std::isfinite(sample[i])) {
      return Status::Invalid("training row ", i / dim, " holds a non-finite value at dimension ", i % dim);
    }
  }
  Progress progress(progress_fn);
  SingleThreadedBlas blas;
  TrainOptions opt;
  opt.dim = dim;
  opt.metric = params.metric;
  opt.seed = params.seed;
  opt.threads = ResolveThreads(params.threads);
  ARROW_RETURN_NOT_OK(ChooseShape(params, dim, std::max(corpus_rows, n), &opt));
  ARROW_RETURN_NOT_OK(FitListsToSample(params, n, &opt));
  std::vector<float> rows(sample, sample + n * dim);
  if (UnitNormalised(params.metric)) NormalizeRows(rows.data(), n, dim);
  ARROW_ASSIGN_OR_RAISE(Quantizers q, Train(rows.data(), n, opt, [&](int64_t done, int64_t total) {
                          return progress.Report(QV_PHASE_TRAIN, done, total);
                        }));
  IndexContents contents;
  contents.manifest.params = ParamsOf(opt, params, n);
  contents.centroids = q.centroids.data();
  contents.codebooks = q.codebooks.data();
  contents.list_sizes.assign(opt.nlist, 0);
  contents.fill_list = [](int32_t, uint8_t*, uint64_t*) { return Status::OK(); };
  return WriteIndex(index_dir, std::move(contents), WritePhase(&progress));
}

namespace {

// Files encoded with an index's quantizers, numbered from a given ordinal,
// their lists waiting in a spill.
struct Encoded {
  ScannedSources sources;
  std::unique_ptr<ListSpill> spill;

  SegmentContents Contents(int32_t first_file) {
    SegmentContents c;
    c.described = Describe(sources);
    c.first_file = first_file;
    c.list_sizes = spill->list_sizes();
    c.fill_list = [this](int32_t list, uint8_t* codes, uint64_t* keys) { return spill->ReadList(list, codes, keys); };
    return c;
  }
};

Result<Encoded> EncodeWith(const MmapIndexReader& index, const std::string& index_dir,
                           const std::vector<std::string>& files, const BuildParams& params, int32_t first_file,
                           const std::string& spill_dir, Progress* progress) {
  Storage& storage = params.storage ? *params.storage : LocalStorage();
  const std::string& column = index.params().vector_column;
  Encoded e;
  ARROW_ASSIGN_OR_RAISE(e.sources, ScanSources(files, column, progress, storage));
  TrainOptions opt;
  opt.threads = ResolveThreads(params.threads);
  ARROW_ASSIGN_OR_RAISE(Quantizers q, QuantizersOf(index, &opt));
  ARROW_RETURN_NOT_OK(CheckDimension(e.sources, opt.dim, index_dir));
  ARROW_ASSIGN_OR_RAISE(e.spill, ListSpill::Create(spill_dir, opt.nlist, opt.pq_m, e.sources.rows_total));
  ARROW_RETURN_NOT_OK(EncodeSources(&e.sources, column, opt, q, e.spill.get(), progress, first_file));
  return e;
}

}  // namespace

Status AppendFiles(const std::vector<std::string>& paths, const BuildParams& params,
                   const std::string& index_dir, const ProgressFn& progress_fn) {
  ARROW_RETURN_NOT_OK(ValidateBuildParams(params));
  if (index_dir.empty()) return Status::Invalid("index directory is empty");
  Progress progress(progress_fn);
  SingleThreadedBlas blas;
  ARROW_ASSIGN_OR_RAISE(std::vector<std::string> files, InputFiles(paths, params));

  // Held until the new manifest is committed: the segment extends this
  // manifest and no other.
  ARROW_ASSIGN_OR_RAISE(IndexLock lock, IndexLock::AcquireExisting(index_dir));
  ARROW_ASSIGN_OR_RAISE(auto index, MmapIndexReader::OpenMapped(index_dir, /*check_freshness=*/false));
  Manifest next = index->manifest();
  for (const std::string& f : files) {
    if (const int32_t i = next.live_file(f); i >= 0) {
      return Status::Invalid("'", f, "' is already in the index at '", index_dir, "' (file ", i, ")");
    }
  }
  const int32_t first = static_cast<int32_t>(next.files.size());
  ARROW_ASSIGN_OR_RAISE(Encoded encoded, EncodeWith(*index, index_dir, files, params, first, index_dir, &progress));
  SegmentContents segment = encoded.Contents(first);
  next.Add(segment.described);
  if (!params.source.empty()) next.params.source = params.source;
  return WriteSegment(index_dir, lock, std::move(next), std::move(segment), WritePhase(&progress));
}

Status EncodeSegment(const std::vector<std::string>& paths, const BuildParams& params, int32_t first_file,
                     const std::string& segment_path, const ProgressFn& progress_fn) {
  ARROW_RETURN_NOT_OK(ValidateBuildParams(params));
  if (params.quantizers_from.empty()) {
    return Status::Invalid("a segment is encoded with the quantizers of an index: give its directory "
                           "(qv_build_params_set_quantizers_from)");
  }
  if (segment_path.empty()) return Status::Invalid("segment file path is empty");
  if (first_file < 0) return Status::Invalid("first_file must be >= 0, got ", first_file);
  Progress progress(progress_fn);
  SingleThreadedBlas blas;
  ARROW_ASSIGN_OR_RAISE(std::vector<std::string> files, InputFiles(paths, params));
  ARROW_ASSIGN_OR_RAISE(auto from, MmapIndexReader::OpenMapped(params.quantizers_from, /*check_freshness=*/false));
  const std::filesystem::path dir = std::filesystem::absolute(segment_path).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create the directory '", dir.string(), "': ", ec.message());
  ARROW_ASSIGN_OR_RAISE(Encoded encoded, EncodeWith(*from, params.quantizers_from, files, params, first_file,
                                                    dir.string(), &progress));
  return WriteSegmentFile(segment_path, NewBuildId(dir.string()), from->params(), from->manifest().build_id,
                          encoded.Contents(first_file), WritePhase(&progress))
      .status();
}

}  // namespace quiver
