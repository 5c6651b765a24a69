#include "storage/log/segment.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "storage/log/file_util.h"

namespace sluice {
namespace {

constexpr std::string_view kLogSuffix = ".log";
constexpr size_t kBaseDigits = 20;

}  // namespace

std::string SegmentPath(const std::string& partition_dir, int64_t base_offset) {
  return fmt::format("{}/{:020d}.log", partition_dir, base_offset);
}

std::string IndexPath(const std::string& partition_dir, int64_t base_offset) {
  return fmt::format("{}/{:020d}.index", partition_dir, base_offset);
}

std::string HeadPath(const std::string& partition_dir) { return partition_dir + "/append.lock"; }

Result<std::vector<int64_t>> ListSegmentBases(const std::string& partition_dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(partition_dir));
  std::vector<int64_t> bases;
  for (const std::string& name : names) {
    if (name.size() != kBaseDigits + kLogSuffix.size() || !name.ends_with(kLogSuffix)) continue;
    int64_t base = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + kBaseDigits, base);
    if (ec != std::errc() || end != name.data() + kBaseDigits || base < 0) continue;
    bases.push_back(base);
  }
  std::sort(bases.begin(), bases.end());
  return bases;
}

}  // namespace sluice
