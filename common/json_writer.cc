#include "common/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/json_scan.h"

namespace sluice {

namespace {

// True for bytes that must be escaped in a JSON string: control characters, '"' and '\\'.
constexpr bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// True if any of the 8 bytes in `word` may need escaping. Uses the "has a byte less than n"
// bit trick (for n = 0x20, and n = 1 on the word xor '"' / '\\'): it never misses a byte that
// needs escaping, and any false positive only sends the caller to its byte-by-byte check.
inline bool AnyNeedsEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  uint64_t quote = word ^ (kOnes * '"');
  uint64_t backslash = word ^ (kOnes * '\\');
  uint64_t hits = ((word - kOnes * 0x20) & ~word) | ((quote - kOnes) & ~quote) |
                  ((backslash - kOnes) & ~backslash);
  return (hits & kHighs) != 0;
}

// The escape sequence of `c` (a byte NeedsEscape accepts) at `dest`.
inline char* WriteEscape(unsigned char c, char* dest) {
  static const char kHex[] = "0123456789abcdef";
  *dest++ = '\\';
  switch (c) {
    case '"': *dest++ = '"'; break;
    case '\\': *dest++ = '\\'; break;
    case '\n': *dest++ = 'n'; break;
    case '\r': *dest++ = 'r'; break;
    case '\t': *dest++ = 't'; break;
    case '\b': *dest++ = 'b'; break;
    case '\f': *dest++ = 'f'; break;
    default:
      std::memcpy(dest, "u00", 3);
      dest[3] = kHex[c >> 4];
      dest[4] = kHex[c & 0xF];
      dest += 5;
  }
  return dest;
}

}  // namespace

char* WriteJsonString(std::string_view value, char* dest) {
  *dest++ = '"';
  const char* data = value.data();
  size_t size = value.size();
  size_t byte_idx = 0;
#if defined(SLUICE_JSON_SCAN_SSE2)
  // 16 bytes at a time, each block stored whole before its escape mask is looked at: the room
  // left is 6 bytes per byte not yet written (MaxJsonStringSize), so the store stays in bounds,
  // and after an escape the copy resumes at the byte that needed it.
  size_t copied_from = 0;  // the bytes from here to byte_idx were copied as they are
  while (size - byte_idx >= 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + byte_idx));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dest), bytes);
    const unsigned mask = JsonEscapeMask(bytes);
    if (mask == 0) {
      dest += 16;
      byte_idx += 16;
      continue;
    }
    const unsigned plain = static_cast<unsigned>(__builtin_ctz(mask));
    dest = WriteEscape(static_cast<unsigned char>(data[byte_idx + plain]), dest + plain);
    byte_idx += plain + 1;
    copied_from = byte_idx;
  }
  // The last bytes: the 16 that end the string, when the ones before byte_idx among them were
  // copied as they are (so storing them again changes nothing) and the rest need no escape.
  if (byte_idx < size && size >= 16 && size - 16 >= copied_from) {
    const size_t rest = size - byte_idx;
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + size - 16));
    if ((JsonEscapeMask(bytes) >> (16 - rest)) == 0) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dest - (16 - rest)), bytes);
      dest += rest;
      byte_idx = size;
    }
  }
#endif
  // Short strings: two overlapping words when neither needs an escape.
  if (byte_idx == 0 && size >= 8 && size < 16) {
    uint64_t first;
    uint64_t last;
    std::memcpy(&first, data, 8);
    std::memcpy(&last, data + size - 8, 8);
    if (!AnyNeedsEscape(first) && !AnyNeedsEscape(last)) {
      std::memcpy(dest, &first, 8);
      std::memcpy(dest + size - 8, &last, 8);
      dest += size;
      byte_idx = size;
    }
  }
  while (byte_idx < size) {
    if (byte_idx + 8 <= size) {
      uint64_t word;
      std::memcpy(&word, data + byte_idx, 8);
      if (!AnyNeedsEscape(word)) {
        std::memcpy(dest, &word, 8);
        dest += 8;
        byte_idx += 8;
        continue;
      }
    }
    unsigned char c = static_cast<unsigned char>(data[byte_idx++]);
    if (!NeedsEscape(c)) {
      *dest++ = static_cast<char>(c);
      continue;
    }
    dest = WriteEscape(c, dest);
  }
  *dest++ = '"';
  return dest;
}

void AppendJsonString(std::string_view value, std::string& out) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  // Copy runs of plain bytes at once, skipping 8 bytes at a time while none needs escaping;
  // most strings need no escaping at all.
  const char* data = value.data();
  size_t size = value.size();
  size_t run_start = 0;
  size_t byte_idx = 0;
  while (byte_idx < size) {
    if (byte_idx + 8 <= size) {
      uint64_t word;
      std::memcpy(&word, data + byte_idx, 8);
      if (!AnyNeedsEscape(word)) {
        byte_idx += 8;
        continue;
      }
    }
    unsigned char c = static_cast<unsigned char>(data[byte_idx]);
    if (!NeedsEscape(c)) {
      ++byte_idx;
      continue;
    }
    out.append(data + run_start, byte_idx - run_start);
    run_start = ++byte_idx;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(data + run_start, size - run_start);
  out.push_back('"');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_value_.empty()) {
    if (has_value_.back()) out_.push_back(',');
    has_value_.back() = true;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  has_value_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  has_value_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  has_value_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  has_value_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  if (has_value_.back()) out_.push_back(',');
  has_value_.back() = true;
  AppendJsonString(key, out_);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendJsonString(value, out_);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_.append(buffer, result.ptr);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  BeforeValue();
  if (!std::isfinite(value)) {
    out_ += "null";
    return *this;
  }
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_.append(buffer, result.ptr);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_ += json;
  return *this;
}

}  // namespace sluice
