#include "storage/log/record_format.h"

#include <bit>
#include <cstring>

#include "storage/log/crc32c.h"

namespace sluice {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the frame codec stores integers in host order, which must be little-endian");

constexpr uint8_t kHasKey = 1;
constexpr uint8_t kHasValue = 2;

// Body field positions.
constexpr size_t kOffsetAt = 0;
constexpr size_t kTimestampAt = 8;
constexpr size_t kVersionAt = 16;
constexpr size_t kFlagsAt = 17;
constexpr size_t kHeaderCountAt = 18;
constexpr size_t kKeyLengthAt = 20;
constexpr size_t kValueLengthAt = 24;

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
char* Store(char* p, T v) {
  std::memcpy(p, &v, sizeof(T));
  return p + sizeof(T);
}

char* StoreBytes(char* p, std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  return p + bytes.size();
}

}  // namespace

size_t EncodedFrameSize(const LogRecord& record) {
  uint64_t body = kFrameFixedBodyBytes;
  if (record.key) body += record.key->size();
  if (record.value) body += record.value->size();
  for (const LogHeader& header : record.headers)
    body += 8 + header.name.size() + header.value.size();
  if (body > kMaxFrameBodyBytes || record.headers.size() > UINT16_MAX) return 0;
  return kFramePrefixBytes + body;
}

size_t FrameValueAt(const LogRecord& record) {
  return kFramePrefixBytes + kFrameFixedBodyBytes + (record.key ? record.key->size() : 0);
}

void EncodeFrameHead(const LogRecord& record, char* dst) {
  std::string_view key = record.key.value_or(std::string_view());
  std::string_view value = record.value.value_or(std::string_view());
  uint8_t flags = (record.key ? kHasKey : 0) | (record.value ? kHasValue : 0);

  char* body = dst + kFramePrefixBytes;
  char* p = body;
  p = Store<int64_t>(p, 0);
  p = Store<int64_t>(p, record.timestamp);
  p = Store<uint8_t>(p, kFrameVersion);
  p = Store<uint8_t>(p, flags);
  p = Store<uint16_t>(p, static_cast<uint16_t>(record.headers.size()));
  p = Store<uint32_t>(p, static_cast<uint32_t>(key.size()));
  p = Store<uint32_t>(p, static_cast<uint32_t>(value.size()));
  p = StoreBytes(p, key);
  Store<uint32_t>(dst, static_cast<uint32_t>(p - body));
  Store<uint32_t>(dst + 4, 0);
}

void SetFrameValueSize(char* frame, size_t value_bytes) {
  char* body = frame + kFramePrefixBytes;
  const uint32_t key_bytes = Load<uint32_t>(body + kKeyLengthAt);
  Store<uint32_t>(body + kValueLengthAt, static_cast<uint32_t>(value_bytes));
  Store<uint32_t>(frame, static_cast<uint32_t>(kFrameFixedBodyBytes + key_bytes + value_bytes));
}

void EncodeFrame(const LogRecord& record, char* dst) {
  EncodeFrameHead(record, dst);
  char* body = dst + kFramePrefixBytes;
  char* p = StoreBytes(dst + FrameValueAt(record), record.value.value_or(std::string_view()));
  for (const LogHeader& header : record.headers) {
    p = Store<uint32_t>(p, static_cast<uint32_t>(header.name.size()));
    p = StoreBytes(p, header.name);
    p = Store<uint32_t>(p, static_cast<uint32_t>(header.value.size()));
    p = StoreBytes(p, header.value);
  }
  Store<uint32_t>(dst, static_cast<uint32_t>(p - body));
}

void SealFrame(char* frame, int64_t offset) {
  char* body = frame + kFramePrefixBytes;
  Store<int64_t>(body + kOffsetAt, offset);
  Store<uint32_t>(frame + 4, Crc32c(body, Load<uint32_t>(frame)));
}

FrameStatus PeekFrame(const char* data, size_t available, FrameHeader* header) {
  if (available < kFramePrefixBytes) return FrameStatus::kIncomplete;
  uint32_t body_bytes = Load<uint32_t>(data);
  if (body_bytes < kFrameFixedBodyBytes || body_bytes > kMaxFrameBodyBytes) {
    return FrameStatus::kCorrupt;
  }
  if (available < kFramePrefixBytes + kOffsetAt + 8) return FrameStatus::kIncomplete;
  header->body_bytes = body_bytes;
  header->offset = Load<int64_t>(data + kFramePrefixBytes + kOffsetAt);
  return FrameStatus::kOk;
}

FrameStatus DecodeFrame(const char* data, size_t available, LogRecordView* view,
                        size_t* frame_bytes, std::string* why) {
  if (available < kFramePrefixBytes) return FrameStatus::kIncomplete;
  const uint32_t body_bytes = Load<uint32_t>(data);
  if (body_bytes < kFrameFixedBodyBytes || body_bytes > kMaxFrameBodyBytes) {
    *why = "invalid frame length " + std::to_string(body_bytes);
    return FrameStatus::kCorrupt;
  }
  if (available < kFramePrefixBytes + body_bytes) return FrameStatus::kIncomplete;

  const char* body = data + kFramePrefixBytes;
  if (Crc32c(body, body_bytes) != Load<uint32_t>(data + 4)) {
    *why = "checksum mismatch";
    return FrameStatus::kCorrupt;
  }
  const uint8_t version = Load<uint8_t>(body + kVersionAt);
  const uint8_t flags = Load<uint8_t>(body + kFlagsAt);
  if (version != kFrameVersion || (flags & ~(kHasKey | kHasValue)) != 0) {
    *why =
        "unknown frame version " + std::to_string(version) + " or flags " + std::to_string(flags);
    return FrameStatus::kCorrupt;
  }
  const uint64_t key_len = Load<uint32_t>(body + kKeyLengthAt);
  const uint64_t value_len = Load<uint32_t>(body + kValueLengthAt);
  const uint32_t header_count = Load<uint16_t>(body + kHeaderCountAt);
  const char* end = body + body_bytes;
  const char* p = body + kFrameFixedBodyBytes;
  if (key_len + value_len > static_cast<uint64_t>(end - p) ||
      (!(flags & kHasKey) && key_len != 0) || (!(flags & kHasValue) && value_len != 0)) {
    *why = "key/value lengths exceed the frame";
    return FrameStatus::kCorrupt;
  }
  view->offset = Load<int64_t>(body + kOffsetAt);
  view->timestamp = Load<int64_t>(body + kTimestampAt);
  view->key = (flags & kHasKey) ? std::optional<std::string_view>(std::string_view(p, key_len))
                                : std::nullopt;
  p += key_len;
  view->value = (flags & kHasValue)
                    ? std::optional<std::string_view>(std::string_view(p, value_len))
                    : std::nullopt;
  p += value_len;

  // The checksum already vouches for these bytes; this walk guards against a writer bug
  // producing a frame whose header area would send iteration out of bounds.
  const char* headers = p;
  for (uint32_t header_idx = 0; header_idx < header_count; ++header_idx) {
    for (int part = 0; part < 2; ++part) {
      if (end - p < 4) {
        *why = "header area truncated";
        return FrameStatus::kCorrupt;
      }
      const uint32_t len = Load<uint32_t>(p);
      if (static_cast<uint64_t>(end - p - 4) < len) {
        *why = "header area truncated";
        return FrameStatus::kCorrupt;
      }
      p += 4 + len;
    }
  }
  if (p != end) {
    *why = "trailing bytes after the headers";
    return FrameStatus::kCorrupt;
  }
  view->headers = LogHeadersView(headers, header_count);
  *frame_bytes = kFramePrefixBytes + body_bytes;
  return FrameStatus::kOk;
}

}  // namespace sluice
