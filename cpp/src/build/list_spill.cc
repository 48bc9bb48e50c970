#include "build/list_spill.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "build/counting_sort.h"
#include "common/file_io.h"

namespace quiver {
namespace fs = std::filesystem;
namespace {

constexpr size_t kAppendBuffer = 64 << 10;

// An unnamed file in `dir`.
Result<int> OpenUnnamed(const std::string& dir) {
#ifdef O_TMPFILE
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return ErrnoError("cannot create a temporary file in", dir);
  }
#endif
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string path = (fs::path(dir) / (".quiver-spill-" + std::to_string(rd()) + ".tmp")).string();
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::unlink(path.c_str());
      return fd;
    }
    if (errno != EEXIST) return ErrnoError("cannot create a temporary file in", dir);
  }
  return Status::IOError("cannot create a temporary file in '", dir, "'");
}

std::string ExistingDirFor(const std::string& near_path) {
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(near_path), ec);
  if (ec) p = fs::path(near_path);
  while (!p.empty()) {
    if (fs::is_directory(p, ec)) return p.string();
    if (p == p.parent_path()) break;
    p = p.parent_path();
  }
  return ".";
}

}  // namespace

ListSpill::ListSpill(int32_t nlist, int32_t code_size, int32_t lists_per_bucket)
    : nlist_(nlist), code_size_(code_size), lists_per_bucket_(lists_per_bucket), list_sizes_(nlist, 0) {}

ListSpill::~ListSpill() {
  for (auto& b : buckets_) {
    if (b->fd >= 0) ::close(b->fd);
  }
}

Result<std::unique_ptr<ListSpill>> ListSpill::Create(const std::string& near_path, int32_t nlist,
                                                     int32_t code_size, int64_t rows, int64_t bucket_bytes) {
  if (nlist < 1 || code_size < 1) return Status::Invalid("spill needs at least one list and one code byte");
  const int64_t record = static_cast<int64_t>(sizeof(int32_t) + sizeof(uint64_t)) + code_size;
  const int64_t total = std::max<int64_t>(rows, 0) * record;
  const int64_t wanted = std::clamp<int64_t>((total + bucket_bytes - 1) / std::max<int64_t>(bucket_bytes, 1), 1, nlist);
  const int32_t per_bucket = static_cast<int32_t>((nlist + wanted - 1) / wanted);
  const int32_t count = (nlist + per_bucket - 1) / per_bucket;
  std::unique_ptr<ListSpill> spill(new ListSpill(nlist, code_size, per_bucket));
  spill->dir_ = ExistingDirFor(near_path);
  for (int32_t b = 0; b < count; ++b) {
    auto bucket = std::make_unique<Bucket>();
    ARROW_ASSIGN_OR_RAISE(bucket->fd, OpenUnnamed(spill->dir_));
    spill->buckets_.push_back(std::move(bucket));
  }
  return spill;
}

Status ListSpill::Write(int32_t bucket, const uint8_t* data, size_t n) {
  Bucket& b = *buckets_[bucket];
  const int64_t offset = b.size.fetch_add(static_cast<int64_t>(n));
  return WriteFullyAt(b.fd, data, n, offset,
                      "cannot write the encoded rows (about the index's size) to a temporary file in", dir_);
}

ListSpill::Appender::Appender(ListSpill* spill)
    : spill_(spill), buffers_(spill->buckets_.size()), counts_(spill->nlist_, 0) {}

Status ListSpill::Appender::Add(int32_t list, uint64_t key, const uint8_t* code) {
  const int32_t bucket = list / spill_->lists_per_bucket_;
  std::vector<uint8_t>& buf = buffers_[bucket];
  const size_t at = buf.size();
  buf.resize(at + spill_->record_size());
  std::memcpy(buf.data() + at, &list, sizeof list);
  std::memcpy(buf.data() + at + sizeof list, &key, sizeof key);
  std::memcpy(buf.data() + at + sizeof list + sizeof key, code, spill_->code_size_);
  ++counts_[list];
  if (buf.size() >= kAppendBuffer) {
    ARROW_RETURN_NOT_OK(spill_->Write(bucket, buf.data(), buf.size()));
    buf.clear();
  }
  return Status::OK();
}

Status ListSpill::Appender::Flush() {
  for (size_t b = 0; b < buffers_.size(); ++b) {
    if (buffers_[b].empty()) continue;
    ARROW_RETURN_NOT_OK(spill_->Write(static_cast<int32_t>(b), buffers_[b].data(), buffers_[b].size()));
    buffers_[b].clear();
    buffers_[b].shrink_to_fit();
  }
  std::lock_guard<std::mutex> lock(spill_->counts_mu_);
  for (int32_t l = 0; l < spill_->nlist_; ++l) spill_->list_sizes_[l] += counts_[l];
  std::fill(counts_.begin(), counts_.end(), 0);
  return Status::OK();
}

Status ListSpill::LoadBucket(int32_t bucket) {
  Bucket& b = *buckets_[bucket];
  const int64_t bytes = b.size.load();
  records_.resize(static_cast<size_t>(bytes));
  ARROW_RETURN_NOT_OK(ReadFullyAt(b.fd, records_.data(), records_.size(), 0, "cannot read a temporary file in", dir_));
  // The bucket's file is not needed again: give its space back now.
  ::close(b.fd);
  b.fd = -1;

  const size_t rec = record_size();
  const int64_t n = bytes / static_cast<int64_t>(rec);
  const int32_t first = bucket * lists_per_bucket_;
  const int32_t lists = std::min(lists_per_bucket_, nlist_ - first);
  auto list_of = [&](int64_t i) {
    int32_t l;
    std::memcpy(&l, records_.data() + i * rec, sizeof l);
    return l;
  };
  auto key_of = [&](int64_t i) {
    uint64_t k;
    std::memcpy(&k, records_.data() + i * rec + sizeof(int32_t), sizeof k);
    return k;
  };
  for (int64_t i = 0; i < n; ++i) {
    const int32_t l = list_of(i) - first;
    if (l < 0 || l >= lists) return Status::UnknownError("temporary file holds list ", l + first, " out of place");
  }
  CountingSort<int64_t>(n, lists, [&](int64_t i) { return list_of(i) - first; }, &list_start_, &order_);
  for (int32_t l = 0; l < lists; ++l) {
    std::sort(order_.begin() + list_start_[l], order_.begin() + list_start_[l + 1],
              [&](int64_t a, int64_t b) { return key_of(a) < key_of(b); });
  }
  loaded_ = bucket;
  return Status::OK();
}

Status ListSpill::ReadList(int32_t list, uint8_t* codes, uint64_t* keys) {
  if (list < 0 || list >= nlist_) return Status::Invalid("list ", list, " out of range");
  const int32_t bucket = list / lists_per_bucket_;
  if (bucket != loaded_) {
    if (bucket < loaded_) return Status::Invalid("lists must be read in order");
    ARROW_RETURN_NOT_OK(LoadBucket(bucket));
  }
  const int32_t l = list - bucket * lists_per_bucket_;
  const size_t rec = record_size();
  const int64_t begin = list_start_[l], end = list_start_[l + 1];
  if (end - begin != list_sizes_[list]) {
    return Status::UnknownError("list ", list, " holds ", end - begin, " rows, expected ", list_sizes_[list]);
  }
  for (int64_t i = begin; i < end; ++i) {
    const uint8_t* r = records_.data() + order_[i] * rec;
    std::memcpy(keys++, r + sizeof(int32_t), sizeof(uint64_t));
    std::memcpy(codes, r + sizeof(int32_t) + sizeof(uint64_t), code_size_);
    codes += code_size_;
  }
  return Status::OK();
}

}  // namespace quiver
