#include "storage/log/segment_scanner.h"

#include <cstring>

#include "storage/log/file_util.h"
#include "storage/log/read_buffer.h"

namespace sluice {
namespace {

constexpr size_t kScanChunkBytes = 256 * 1024;

}  // namespace

Result<SegmentScan> ScanSegment(int fd, const std::string& path, int64_t position, int64_t offset,
                                const SegmentScanOptions& options) {
  SegmentScan scan;
  scan.end_position = position;
  scan.next_offset = offset;
  ASSIGN_OR_RETURN(const int64_t file_size, FileSize(fd, path));

  ReadBuffer buffer(kScanChunkBytes);
  int64_t buffer_position = position;  // file position of buffer[0]
  size_t buffer_len = 0;
  size_t cursor = 0;  // buffer index of scan.end_position

  while (scan.next_offset < options.stop_at_offset) {
    const size_t available = buffer_len - cursor;
    const char* frame = buffer.data() + cursor;
    FrameStatus status;
    int64_t frame_offset = 0;
    size_t frame_bytes = 0;
    if (options.verify_checksums) {
      LogRecordView view;
      status = DecodeFrame(frame, available, &view, &frame_bytes, &scan.why);
      frame_offset = view.offset;
    } else {
      FrameHeader header;
      status = PeekFrame(frame, available, &header);
      if (status == FrameStatus::kCorrupt) scan.why = "invalid frame length";
      frame_offset = header.offset;
      frame_bytes = header.frame_bytes();
      // Hopping needs only the prefix in memory; the rest must merely exist in the file.
      if (status == FrameStatus::kOk &&
          scan.end_position + static_cast<int64_t>(frame_bytes) > file_size) {
        scan.stop = FrameStatus::kIncomplete;
        return scan;
      }
    }
    if (status == FrameStatus::kCorrupt) {
      scan.stop = FrameStatus::kCorrupt;
      return scan;
    }
    if (status == FrameStatus::kOk) {
      if (frame_offset != scan.next_offset) {
        scan.stop = FrameStatus::kCorrupt;
        scan.why = "expected offset " + std::to_string(scan.next_offset) + " but found " +
                   std::to_string(frame_offset);
        return scan;
      }
      if (options.on_frame) options.on_frame(frame_offset, scan.end_position, frame_bytes);
      scan.end_position += static_cast<int64_t>(frame_bytes);
      ++scan.next_offset;
      cursor += frame_bytes;
      if (cursor > buffer_len) {  // hopped past the buffered bytes
        buffer_position = scan.end_position;
        buffer_len = 0;
        cursor = 0;
      }
      continue;
    }

    // Incomplete in memory: keep the partial frame, make room, read on.
    std::memmove(buffer.data(), buffer.data() + cursor, available);
    buffer_position += static_cast<int64_t>(cursor);
    buffer_len = available;
    cursor = 0;
    FrameHeader header;
    if (options.verify_checksums &&
        PeekFrame(buffer.data(), buffer_len, &header) == FrameStatus::kOk &&
        header.frame_bytes() > buffer.size()) {
      buffer.resize(header.frame_bytes());
    }
    ASSIGN_OR_RETURN(size_t got,
                     PreadUpTo(fd, buffer.data() + buffer_len, buffer.size() - buffer_len,
                               buffer_position + static_cast<int64_t>(buffer_len), path));
    if (got == 0) {
      scan.stop = available > 0 ? FrameStatus::kIncomplete : FrameStatus::kOk;
      return scan;
    }
    buffer_len += got;
  }
  return scan;
}

Result<bool> FrameAtHasOffset(int fd, const std::string& path, int64_t position, int64_t offset) {
  char prefix[kFramePrefixBytes + 8];
  ASSIGN_OR_RETURN(size_t got, PreadUpTo(fd, prefix, sizeof(prefix), position, path));
  FrameHeader header;
  return PeekFrame(prefix, got, &header) == FrameStatus::kOk && header.offset == offset;
}

}  // namespace sluice
