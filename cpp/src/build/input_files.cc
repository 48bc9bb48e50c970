#include "build/input_files.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace quiver {
namespace fs = std::filesystem;

Result<std::vector<std::string>> ExpandInputPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    if (p.empty()) return Status::Invalid("an input path is empty");
    std::error_code ec;
    fs::path abs = fs::absolute(p, ec);
    if (ec) return Status::IOError("cannot resolve '", p, "': ", ec.message());
    abs = abs.lexically_normal();
    fs::file_status st = fs::status(abs, ec);
    if (!fs::exists(st)) return NotFound("input path not found: '" + p + "'");
    if (fs::is_directory(st)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(abs, fs::directory_options::follow_directory_symlink, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        const fs::path& f = it->path();
        if (f.extension() == ".parquet" && it->is_regular_file(ec)) found.push_back(f.string());
      }
      if (ec) return Status::IOError("cannot list directory '", abs.string(), "': ", ec.message());
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(st)) {
      out.push_back(abs.string());
    } else {
      return Status::Invalid("input path '", p, "' is neither a regular file nor a directory");
    }
  }
  if (out.empty()) return Status::Invalid("no Parquet files to index (directories hold no *.parquet file)");
  std::set<std::string> seen;
  for (const auto& f : out) {
    if (!seen.insert(f).second) return Status::Invalid("input file '", f, "' is listed twice");
  }
  return out;
}

}  // namespace quiver
