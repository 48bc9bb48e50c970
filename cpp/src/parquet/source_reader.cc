#include "parquet/source_reader.h"

#include <algorithm>
#include <cstring>

#include "parquet/fingerprint.h"

namespace quiver {

// A file whose reads are counted, whoever makes them: our range reads, and
// the Parquet reader's own (footer, page index, a fetch's stray pages).
class CountingFile final : public arrow::io::RandomAccessFile {
 public:
  using Counters = std::atomic<int64_t>;
  CountingFile(std::shared_ptr<arrow::io::RandomAccessFile> inner, std::shared_ptr<void> owner,
               Counters* bytes, Counters* requests)
      : inner_(std::move(inner)), owner_(std::move(owner)), bytes_(bytes), requests_(requests) {}

  arrow::Status Close() override { return inner_->Close(); }
  bool closed() const override { return inner_->closed(); }
  arrow::Result<int64_t> Tell() const override { return inner_->Tell(); }
  arrow::Status Seek(int64_t position) override { return inner_->Seek(position); }
  arrow::Result<int64_t> GetSize() override { return inner_->GetSize(); }
  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    return Count(inner_->Read(nbytes, out));
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    return Count(inner_->Read(nbytes));
  }
  arrow::Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    return Count(inner_->ReadAt(position, nbytes, out));
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position, int64_t nbytes) override {
    return Count(inner_->ReadAt(position, nbytes));
  }

 private:
  arrow::Result<int64_t> Count(arrow::Result<int64_t> n) {
    if (n.ok()) Add(*n);
    return n;
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Count(arrow::Result<std::shared_ptr<arrow::Buffer>> b) {
    if (b.ok()) Add((*b)->size());
    return b;
  }
  void Add(int64_t n) {
    *bytes_ += n;
    ++*requests_;
  }

  std::shared_ptr<arrow::io::RandomAccessFile> inner_;
  std::shared_ptr<void> owner_;  // keeps the counters alive
  Counters* bytes_;
  Counters* requests_;
};

struct SourceReader::Slot {
  std::mutex mu;
  bool opened = false;
  Status error;  // sticky
  OpenSource open;
};

void ReadLimiter::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return free_ > 0; });
  --free_;
}

void ReadLimiter::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++free_;
  }
  cv_.notify_one();
}

RangeReads::~RangeReads() {
  reads_.clear();
  if (pool_owner_ != nullptr) {
    for (auto& b : pooled_) pool_owner_->GiveBuffer(std::move(b));
  }
}

std::shared_ptr<arrow::Buffer> RangeReads::Slice(int64_t offset, int64_t length) const {
  auto it = std::upper_bound(reads_.begin(), reads_.end(), offset,
                             [](int64_t o, const Read& r) { return o < r.offset; });
  if (it == reads_.begin()) return nullptr;
  --it;
  if (offset + length > it->offset + it->bytes->size()) return nullptr;
  return arrow::SliceBuffer(it->bytes, offset - it->offset, length);
}

Result<std::shared_ptr<arrow::Buffer>> RangeReads::Concatenate(const std::vector<ByteRange>& ranges) const {
  if (ranges.empty()) return std::make_shared<arrow::Buffer>(nullptr, 0);
  bool adjacent = true;
  for (size_t k = 1; adjacent && k < ranges.size(); ++k) {
    adjacent = ranges[k].offset == ranges[k - 1].offset + ranges[k - 1].length;
  }
  if (adjacent) {
    const ByteRange& last = ranges.back();
    if (auto whole = Slice(ranges[0].offset, last.offset + last.length - ranges[0].offset)) return whole;
  }
  int64_t total = 0;
  for (const ByteRange& r : ranges) total += r.length;
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> out, arrow::AllocateBuffer(total));
  int64_t written = 0;
  for (const ByteRange& r : ranges) {
    auto piece = Slice(r.offset, r.length);
    if (!piece) return Status::Invalid("bytes at offset ", r.offset, " were not read");
    std::memcpy(out->mutable_data() + written, piece->data(), r.length);
    written += r.length;
  }
  return out;
}

SourceReader::SourceReader(std::vector<SourceFile> files, Storage* storage)
    : files_(std::move(files)), storage_(storage ? storage : &LocalStorage()) {
  for (size_t i = 0; i < files_.size(); ++i) slots_.push_back(std::make_unique<Slot>());
}

SourceReader::~SourceReader() = default;

Status SourceReader::CheckOrdinal(uint32_t f) const {
  if (f >= files_.size()) {
    return Status::Invalid("file ", f, " is outside the index: it has ", files_.size(), " files");
  }
  return Status::OK();
}

Result<const OpenSource*> SourceReader::Open(uint32_t f) {
  ARROW_RETURN_NOT_OK(CheckOrdinal(f));
  Slot* slot = slots_[f].get();
  std::lock_guard<std::mutex> lock(slot->mu);
  if (!slot->opened) {
    slot->opened = true;
    slot->error = [&]() -> Status {
      const SourceFile& file = files_[f];
      OpenSource& open = slot->open;
      open.file = &file;
      auto stat = storage_->Stat(file.path);
      ARROW_RETURN_NOT_OK(CheckStat(file, stat));
      auto raw = storage_->Open(file.path);
      if (!raw.ok()) return CheckStat(file, raw.status());
      open.raw = *raw;
      open.input = std::make_shared<CountingFile>(*raw, counters_, &counters_->bytes, &counters_->requests);
      // The footer the fingerprint reads is the one parsed: read once.
      std::shared_ptr<arrow::Buffer> footer;
      ARROW_RETURN_NOT_OK(
          CompareFingerprint(file, ReadFingerprint(file.path, *stat, open.input.get(), &footer)));
      try {
        uint32_t metadata_len = static_cast<uint32_t>(footer->size() - 8);
        open.metadata = parquet::FileMetaData::Make(footer->data(), &metadata_len);
        open.parquet = parquet::ParquetFileReader::Open(open.input, parquet::default_reader_properties(),
                                                        open.metadata);
      } catch (const std::exception& e) {
        return Status::IOError(file.path, ": ", e.what());
      }
      return Status::OK();
    }();
  }
  if (!slot->error.ok()) return slot->error;
  return &slot->open;
}

Result<const OpenSource*> SourceReader::OpenUnchanged(uint32_t f) {
  ARROW_RETURN_NOT_OK(CheckOrdinal(f));
  bool opened;
  {
    std::lock_guard<std::mutex> lock(slots_[f]->mu);
    opened = slots_[f]->opened;
  }
  // A first open checks the whole fingerprint; a later one needs the stat.
  if (opened) ARROW_RETURN_NOT_OK(CheckStat(files_[f], storage_->Stat(files_[f].path)));
  return Open(f);
}

Result<RangeReads> SourceReader::ReadRanges(uint32_t f, const std::vector<ByteRange>& ranges,
                                            const IoOptions& given, ReadLimiter* limiter,
                                            bool reuse_buffers) {
  const IoOptions io = Effective(given);
  ARROW_ASSIGN_OR_RAISE(const OpenSource* open, Open(f));
  RangeReads out;
  if (reuse_buffers) out.pool_owner_ = this;
  std::vector<ByteRange> merged;
  for (size_t i = 0; i < ranges.size();) {
    size_t j = i + 1;
    int64_t end = ranges[i].offset + ranges[i].length;
    while (j < ranges.size() && ranges[j].offset >= end &&
           ranges[j].offset - end <= std::max<int64_t>(0, io.gap_bytes)) {
      end = ranges[j].offset + ranges[j].length;
      ++j;
    }
    merged.push_back({ranges[i].offset, end - ranges[i].offset});
    i = j;
  }
  std::vector<uint8_t*> into;
  for (const ByteRange& r : merged) {
    std::shared_ptr<arrow::ResizableBuffer> buffer = reuse_buffers ? TakeBuffer() : nullptr;
    if (!buffer) {
      ARROW_ASSIGN_OR_RAISE(buffer, arrow::AllocateResizableBuffer(0));
    }
    if (reuse_buffers) out.pooled_.push_back(buffer);
    ARROW_RETURN_NOT_OK(buffer->Resize(r.length, /*shrink_to_fit=*/false));
    into.push_back(buffer->mutable_data());
    out.reads_.push_back({r.offset, std::move(buffer)});
  }
  // Up to io.concurrency requests go to the storage together: a remote one
  // has them in flight at once. The limiter bounds the calls across threads.
  const size_t batch = static_cast<size_t>(std::max(1, io.concurrency));
  for (size_t b = 0; b < merged.size(); b += batch) {
    const size_t e = std::min(merged.size(), b + batch);
    std::vector<ByteRange> part(merged.begin() + b, merged.begin() + e);
    if (limiter) limiter->Acquire();
    Status st = storage_->ReadRanges(open->raw.get(), open->file->path, part, into.data() + b);
    if (limiter) limiter->Release();
    ARROW_RETURN_NOT_OK(st);
    for (const ByteRange& r : part) {
      counters_->bytes += r.length;
      ++counters_->requests;
    }
  }
  return out;
}

IoOptions SourceReader::Effective(const IoOptions& io) const {
  const bool remote = storage_->remote();
  IoOptions out = io;
  if (out.gap_bytes < 0) out.gap_bytes = remote ? QV_DEFAULT_REMOTE_IO_GAP_BYTES : QV_DEFAULT_IO_GAP_BYTES;
  if (out.concurrency < 1) {
    out.concurrency = remote ? QV_DEFAULT_REMOTE_IO_CONCURRENCY : QV_DEFAULT_IO_CONCURRENCY;
  }
  return out;
}

int32_t SourceReader::Workers(int32_t threads, int64_t tasks, const IoOptions& io) const {
  if (!storage_->remote()) return threads;
  const int64_t overlap = std::min<int64_t>(tasks, Effective(io).concurrency);
  return static_cast<int32_t>(std::max<int64_t>(threads, overlap));
}

IoCounters SourceReader::counters() const {
  return {counters_->bytes.load(), counters_->requests.load()};
}

// At most a few buffers are kept between calls.
std::shared_ptr<arrow::ResizableBuffer> SourceReader::TakeBuffer() {
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (pool_.empty()) return nullptr;
  auto b = std::move(pool_.back());
  pool_.pop_back();
  return b;
}

void SourceReader::GiveBuffer(std::shared_ptr<arrow::ResizableBuffer> b) {
  constexpr size_t kKeep = 4;
  std::lock_guard<std::mutex> lock(pool_mu_);
  if (pool_.size() < kKeep) pool_.push_back(std::move(b));
}

}  // namespace quiver
