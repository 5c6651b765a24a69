#include "storage/log/segment_index.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "storage/log/file_util.h"

namespace sluice {

Result<SegmentIndex> SegmentIndex::Load(const std::string& path, int64_t base_offset) {
  SegmentIndex index(base_offset);
  // No index (yet) reads as empty (a scan from the segment's start): a writer creates a segment's
  // log before its index, so a reader can list the segment in between.
  ASSIGN_OR_RETURN(UniqueFd fd, OpenIfExists(path, O_RDONLY));
  if (!fd.valid()) return index;
  ASSIGN_OR_RETURN(int64_t size, FileSize(fd.get(), path));
  std::string bytes(static_cast<size_t>(size), '\0');
  ASSIGN_OR_RETURN(size_t got, PreadUpTo(fd.get(), bytes.data(), bytes.size(), 0, path));
  const size_t entries = got / kIndexEntryBytes;
  index.points_.reserve(entries);
  for (size_t entry_idx = 0; entry_idx < entries; ++entry_idx) {
    uint32_t relative;
    uint32_t position;
    std::memcpy(&relative, bytes.data() + entry_idx * kIndexEntryBytes, 4);
    std::memcpy(&position, bytes.data() + entry_idx * kIndexEntryBytes + 4, 4);
    IndexPoint point{base_offset + relative, position};
    const IndexPoint previous =
        index.points_.empty() ? IndexPoint{base_offset, 0} : index.points_.back();
    if (point.offset <= previous.offset || point.position <= previous.position) break;
    index.points_.push_back(point);
  }
  return index;
}

IndexPoint SegmentIndex::Floor(int64_t offset) const {
  auto after = std::upper_bound(points_.begin(), points_.end(), offset,
                                [](int64_t o, const IndexPoint& p) { return o < p.offset; });
  if (after == points_.begin()) return {base_offset_, 0};
  return *(after - 1);
}

void EncodeIndexPoints(int64_t base_offset, std::span<const IndexPoint> points, std::string& out) {
  for (const IndexPoint& point : points) {
    const uint32_t relative = static_cast<uint32_t>(point.offset - base_offset);
    const uint32_t position = static_cast<uint32_t>(point.position);
    char entry[kIndexEntryBytes];
    std::memcpy(entry, &relative, 4);
    std::memcpy(entry + 4, &position, 4);
    out.append(entry, kIndexEntryBytes);
  }
}

Status WriteIndexFile(const std::string& path, int64_t base_offset,
                      std::span<const IndexPoint> points) {
  std::string bytes;
  EncodeIndexPoints(base_offset, points, bytes);
  const std::string tmp_path = path + ".tmp";
  {
    ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(tmp_path, O_WRONLY | O_CREAT | O_TRUNC));
    RETURN_NOT_OK(PwriteAll(fd.get(), bytes.data(), bytes.size(), 0, tmp_path));
  }
  if (::rename(tmp_path.c_str(), path.c_str()) != 0) {
    return Status::FromErrno("cannot rename " + tmp_path, errno);
  }
  return Status::OK();
}

}  // namespace sluice
