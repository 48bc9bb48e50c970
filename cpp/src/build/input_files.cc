#include "build/input_files.h"

#include <algorithm>
#include <filesystem>
#include <set>

namespace quiver {
namespace fs = std::filesystem;
namespace {

// A table format's directory holds Parquet files its current snapshot no
// longer has (removed by later commits, not yet vacuumed) and rows its
// deletion vectors or delete files delete: indexing every *.parquet under it
// would answer with rows the table does not hold.
Status RefuseTableDirectory(const fs::path& dir) {
  std::error_code ec;
  const char* format = nullptr;
  if (fs::is_directory(dir / "_delta_log", ec)) {
    format = "a Delta table (it has a _delta_log)";
  } else if (fs::is_directory(dir / "metadata", ec)) {
    for (const auto& e : fs::directory_iterator(dir / "metadata", ec)) {
      if (e.path().filename().string().ends_with(".metadata.json")) {
        format = "an Iceberg table (its metadata/ holds *.metadata.json)";
        break;
      }
    }
  }
  if (format == nullptr) return Status::OK();
  return Unsupported("'" + dir.string() + "' is " + format +
                     ": its directory holds files and rows the table no longer has; index one "
                     "snapshot of the table through Spark (its Delta or Iceberg reader) instead");
}

}  // namespace

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
      ARROW_RETURN_NOT_OK(RefuseTableDirectory(abs));
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(abs, fs::directory_options::follow_directory_symlink, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        const fs::path& f = it->path();
        if (it->is_directory(ec)) {
          ARROW_RETURN_NOT_OK(RefuseTableDirectory(f));
        } else if (f.extension() == ".parquet" && it->is_regular_file(ec)) {
          found.push_back(f.string());
        }
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
  return CheckInputFiles(out);
}

Result<std::vector<std::string>> CheckInputFiles(const std::vector<std::string>& paths) {
  if (paths.empty()) return Status::Invalid("no Parquet files to index");
  std::set<std::string> seen;
  for (const auto& f : paths) {
    if (f.empty()) return Status::Invalid("an input path is empty");
    if (!seen.insert(f).second) return Status::Invalid("input file '", f, "' is listed twice");
  }
  return paths;
}

}  // namespace quiver
