// A fresh, empty directory for one test, under $QUIVER_TEST_TMP (set by
// ctest) or the system's temporary directory; removed at destruction.
#pragma once

#include <string>

namespace quiver::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& child) const { return path_ + "/" + child; }

 private:
  std::string path_;
};

// Whole-file helpers for corruption and atomicity tests.
std::string ReadFileBytes(const std::string& path);
void WriteFileBytes(const std::string& path, const std::string& bytes);

}  // namespace quiver::testing
