#pragma once
// The on-disk frame of one local-log record (byte layout in docs/local-log.md). A frame is an
// 8-byte prefix {body length, CRC32C of the body} followed by the body; the record's offset lives
// inside the body, so the writer encodes frames before taking the partition lock and only
// stamps offsets and checksums (SealFrame) once it knows where they go.

#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/log/log_record.h"

namespace sluice {

inline constexpr size_t kFramePrefixBytes = 8;  // body length u32, crc32c u32
inline constexpr size_t kFrameFixedBodyBytes = 28;
inline constexpr uint8_t kFrameVersion = 1;
// A bound on a single body, so a garbage length can never make a reader allocate gigabytes.
inline constexpr uint32_t kMaxFrameBodyBytes = 64u << 20;

// Bytes the frame of `record` takes, or 0 if the record is too large to frame.
size_t EncodedFrameSize(const LogRecord& record);

// Writes the frame of `record` at `dst` with offset 0 and no checksum.
// REQUIRES: dst has EncodedFrameSize(record) bytes (non-zero).
void EncodeFrame(const LogRecord& record, char* dst);

// The start of the frame of `record` at `dst`: prefix, fixed body fields and key; its value goes
// at dst + FrameValueAt(record), then its headers. REQUIRES: room for FrameValueAt(record) bytes.
void EncodeFrameHead(const LogRecord& record, char* dst);
size_t FrameValueAt(const LogRecord& record);
// Closes a frame EncodeFrameHead started for a record without headers whose value of
// `value_bytes` was written in place: stores the value and body lengths.
// REQUIRES: the key and value fit kMaxFrameBodyBytes.
void SetFrameValueSize(char* frame, size_t value_bytes);

// Stamps `offset` into an encoded frame and computes its checksum.
void SealFrame(char* frame, int64_t offset);

enum class FrameStatus : uint8_t {
  kOk,
  kIncomplete,  // fewer bytes than the frame needs: not yet written (or a torn tail)
  kCorrupt,     // bad length, checksum or layout
};

struct FrameHeader {
  uint32_t body_bytes = 0;
  int64_t offset = 0;
  size_t frame_bytes() const { return kFramePrefixBytes + body_bytes; }
};

// Reads the prefix and offset without checking the checksum (index rebuilds, seeks).
FrameStatus PeekFrame(const char* data, size_t available, FrameHeader* header);

// Fully validates one frame at `data` and fills `view` with pointers into `data`.
// On kCorrupt, `why` says what is wrong.
FrameStatus DecodeFrame(const char* data, size_t available, LogRecordView* view,
                        size_t* frame_bytes, std::string* why);

}  // namespace sluice
