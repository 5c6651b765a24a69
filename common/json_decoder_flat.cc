// JsonDecoderState's fast path: one pass over a flat JSON object (the common shape of a
// record) that fills the row's cells straight from the input, without simdjson's per-record setup
// (copying into a padded buffer, stage 1, the on-demand iterator). It accepts only records it can
// decode exactly as the simdjson path would; anything else (escapes, nested values, a value that
// needs a coercion, a malformed byte) returns false and the record takes the simdjson path, which
// owns every error message. So the fast path never changes what a record decodes to or fails with.
// Text for TIMESTAMP and DATE columns is parsed here too, by the functions that path uses.

#include <simdjson.h>

#include <bit>
#include <cstdint>
#include <cstring>

#include "common/json_decoder_state.h"
#include "common/json_scan.h"

namespace sluice {

namespace {

inline bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

inline const char* SkipSpace(const char* p, const char* end) {
  // Compact JSON has none: one comparison rules out every whitespace byte.
  while (p < end && static_cast<unsigned char>(*p) <= ' ' && IsJsonSpace(*p)) ++p;
  return p;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Past `punctuation` and the whitespace around it, starting at `p`; null when something else
// comes first, or nothing after it. Compact JSON takes the first branch alone.
inline const char* SkipPunctuation(const char* p, const char* end, char punctuation) {
  if (end - p >= 2 && *p == punctuation && static_cast<unsigned char>(p[1]) > ' ') return p + 1;
  p = SkipSpace(p, end);
  if (p == end || *p != punctuation) return nullptr;
  p = SkipSpace(p + 1, end);
  return p == end ? nullptr : p;
}

#if defined(SLUICE_JSON_SCAN_SSE2)
// The last 16 bytes before `end` (readable: the record holds at least 16 bytes before it), for
// scans of its last fewer than 16 bytes at `p`: their bit masks are shifted right by the
// returned count, so bit 0 is `p`'s byte. A record's last string or number, which usually ends
// within 16 bytes of the record's end, is then scanned with one load instead of a byte loop.
inline __m128i LoadTail(const char* p, const char* end, unsigned& shift) {
  shift = static_cast<unsigned>(16 - (end - p));
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16));
}
#endif

// The first byte at or after `p` that is a quote, a backslash, a control character or (with
// `non_ascii`) not ASCII; `end` when there is none. The bytes of most strings need no other look.
// REQUIRES: the record starts at `begin` (bytes from there to `end` are readable).
template <bool non_ascii>
inline const char* FindStringSpecial(const char* p, const char* end, const char* begin) {
#if defined(SLUICE_JSON_SCAN_SSE2)
  while (end - p >= 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const unsigned mask = non_ascii ? JsonEscapeOrNonAsciiMask(bytes) : JsonEscapeMask(bytes);
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
  if (p < end && end - begin >= 16) {
    unsigned shift;
    const __m128i bytes = LoadTail(p, end, shift);
    const unsigned mask =
        (non_ascii ? JsonEscapeOrNonAsciiMask(bytes) : JsonEscapeMask(bytes)) >> shift;
    return mask != 0 ? p + __builtin_ctz(mask) : end;
  }
#else
  (void)begin;
#endif
  while (p < end) {
    const auto byte = static_cast<unsigned char>(*p);
    if (byte == '"' || byte == '\\' || byte < 0x20 || (non_ascii && byte >= 0x80)) return p;
    ++p;
  }
  return end;
}

// Scans the string whose opening quote is just before `p`: on success `content` is its bytes and
// the result points past the closing quote. Null for strings with escapes (they need unescaping),
// raw control characters or invalid UTF-8 (errors the simdjson path reports), or no closing quote.
[[gnu::always_inline]] inline const char* ScanPlainString(const char* p, const char* end,
                                                          const char* begin,
                                                          std::string_view& content) {
  const char* start = p;
  p = FindStringSpecial<true>(p, end, begin);
  // Past a first non-ASCII byte, the rest is scanned for the string's end alone and the whole
  // content checked as UTF-8 once.
  const bool ascii = p == end || static_cast<unsigned char>(*p) < 0x80;
  if (!ascii) p = FindStringSpecial<false>(p + 1, end, begin);
  if (p == end || *p != '"') return nullptr;  // unclosed, a backslash or a control character
  content = std::string_view(start, static_cast<size_t>(p - start));
  if (!ascii && !simdjson::validate_utf8(content.data(), content.size())) return nullptr;
  return p + 1;
}

static_assert(std::endian::native == std::endian::little, "the SWAR digit parsing assumes it");

inline uint64_t LoadEight(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

// The value of 8 ASCII digits in a word, the first in its lowest byte (little-endian SWAR, as
// simdjson and fast_float do it).
inline uint64_t ParseEightDigits(uint64_t word) {
  word -= 0x3030303030303030;
  word = (word * 10) + (word >> 8);
  word = (((word & 0x000000FF000000FF) * 0x000F424000000064) +
          (((word >> 16) & 0x000000FF000000FF) * 0x0000271000000001)) >>
         32;
  return static_cast<uint32_t>(word);
}

inline uint64_t ParseEightDigits(const char* p) { return ParseEightDigits(LoadEight(p)); }

#if defined(SLUICE_JSON_SCAN_SSE2)
// Bit i set when byte i of `bytes` is not an ASCII digit (bits 16 and up set too).
inline unsigned NotDigitMask(__m128i bytes) {
  const __m128i offset = _mm_sub_epi8(bytes, _mm_set1_epi8('0'));
  const __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(9)), offset);
  return ~static_cast<unsigned>(_mm_movemask_epi8(digit));
}

// How many ASCII digits the 16 bytes at `p` start with (1 to 16 where *p is a digit).
inline unsigned DigitRun(const char* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return static_cast<unsigned>(__builtin_ctz(NotDigitMask(bytes) | 0x10000));
}

// DigitRun for the last 8 to 15 bytes of a record at `p` (see LoadTail): at most end - p.
inline unsigned TailDigitRun(const char* p, const char* end) {
  unsigned shift;
  const __m128i bytes = LoadTail(p, end, shift);
  const unsigned limit = 1u << (end - p);
  return static_cast<unsigned>(__builtin_ctz(((NotDigitMask(bytes) & 0xFFFF) >> shift) | limit));
}
#endif

// The value of the first `count` (0 to 8) digits at `p`, which has 8 readable bytes: the digits
// move to the word's last bytes and '0's fill the first, then the 8 digits parse at once.
inline uint64_t ParseLeadingDigits(const char* p, unsigned count) {
  if (count == 0) return 0;
  const unsigned fill_bits = 8 * (8 - count);
  uint64_t word = LoadEight(p) << fill_bits;
  if (fill_bits > 0) word |= 0x3030303030303030 & ((uint64_t{1} << fill_bits) - 1);
  return ParseEightDigits(word);
}

inline int64_t WithSign(bool negative, uint64_t magnitude) {
  return negative ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
}

// Scans a JSON number starting at `p` (JSON's grammar exactly). On success returns the end of the
// number and sets `is_integer` (no fraction or exponent); for integers of at most 18 digits,
// which always fit, `value` is the integer. Longer integers set `fits` false (the simdjson path
// decides them). Null when the text is not a JSON number. Without `with_value` (a field no column
// takes) the grammar is checked all the same but `value` is left unset.
// REQUIRES: the record starts at `begin`.
template <bool with_value>
inline const char* ScanNumber(const char* p, const char* end, const char* begin, bool& is_integer,
                              bool& fits, int64_t& value) {
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  if (p == end || !IsDigit(*p)) return nullptr;
  const char* digits_start = p;
  uint64_t magnitude = 0;
#if defined(SLUICE_JSON_SCAN_SSE2)
  // Near the record's end (its last number), from the record's last 16 bytes: ParseLeadingDigits
  // needs 8 readable bytes at `p`.
  const bool tail = end - p < 16 && end - p >= 8 && end - begin >= 16;
  if (end - p >= 16 || tail) {
    // The digit run's length from one 16-byte mask, its value from at most two 8-digit words:
    // no loop whose exit depends on how long the number is.
    const unsigned run = tail ? TailDigitRun(p, end) : DigitRun(p);
    if (!with_value) {
    } else if (run <= 8) {
      magnitude = ParseLeadingDigits(p, run);
    } else {
      magnitude = ParseLeadingDigits(p, run - 8) * 100000000 + ParseEightDigits(p + run - 8);
    }
    p += run;
    // The common end of a number: a comma or brace right after its digits.
    if (run < 16 && p < end && (*p == ',' || *p == '}')) {
      if (*digits_start == '0' && run > 1) return nullptr;  // no leading zeros
      fits = true;
      is_integer = true;
      if (with_value) value = WithSign(negative, magnitude);
      return p;
    }
  }
#endif
  // Short inputs, and digits past the first 16 (their magnitude wraps past 19 digits, but then
  // `fits` is false and it is not used).
  while (p < end && IsDigit(*p)) magnitude = magnitude * 10 + static_cast<uint64_t>(*p++ - '0');
  if (*digits_start == '0' && p - digits_start > 1) return nullptr;  // no leading zeros
  fits = p - digits_start <= 18;
  is_integer = true;
  if (p < end && *p == '.') {
    is_integer = false;
    ++p;
    if (p == end || !IsDigit(*p)) return nullptr;
    while (p < end && IsDigit(*p)) ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    is_integer = false;
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !IsDigit(*p)) return nullptr;
    while (p < end && IsDigit(*p)) ++p;
  }
  if (with_value) value = WithSign(negative, magnitude);
  return p;
}

// Matches the literal `word` at `p`; a literal must end at a delimiter (as `nullx` is invalid).
inline const char* ScanLiteral(const char* p, const char* end, std::string_view word) {
  if (static_cast<size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0) {
    return nullptr;
  }
  p += word.size();
  if (p < end && !IsJsonSpace(*p) && *p != ',' && *p != '}') return nullptr;
  return p;
}

}  // namespace

bool JsonDecoderState::DecodeFlat(std::string_view json) {
  const char* p = json.data();
  const char* const end = p + json.size();
  p = SkipSpace(p, end);
  if (p == end || *p != '{') return false;
  p = SkipSpace(p + 1, end);
  if (p == end) return false;
  if (*p == '}') return SkipSpace(p + 1, end) == end;
  if (*p != '"') return false;
  ++p;
  // At the top of each turn `p` is just past a key's opening quote.
  for (size_t field_position = 0;; ++field_position) {
    int column_idx;
    bool exact;
    // Records of a topic mostly repeat their keys in order: the key last seen at this position is
    // compared in place first.
    size_t cached_size;
    if (MatchesCompactField(field_position, p, end, column_idx, exact, cached_size)) {
      // The key, its closing quote and the colon at once (compact JSON, keys of up to 14 bytes).
      p += cached_size;
      if (static_cast<unsigned char>(*p) <= ' ') {
        p = SkipSpace(p, end);
        if (p == end) return false;
      }
    } else {
      if (MatchesCachedKey(field_position, p, static_cast<size_t>(end - p), column_idx, exact,
                           cached_size)) {
        p += cached_size + 1;
      } else {
        std::string_view key;
        p = ScanPlainString(p, end, json.data(), key);
        if (p == nullptr) return false;
        LookUpKey(field_position, key, column_idx, exact);
      }
      p = SkipPunctuation(p, end, ':');
      if (p == nullptr) return false;
    }

    // The simdjson path's rule: a key takes its column unless an equal or better match came first.
    const bool take = column_idx >= 0 && match_rank_[column_idx] <= (exact ? 1 : 0);
    JsonDecoderCell* cell = take ? &cells_[column_idx] : nullptr;
    const char first = *p;
    if (first == '"') {
      std::string_view content;
      p = ScanPlainString(p + 1, end, json.data(), content);
      if (p == nullptr) return false;
      if (take) {
        if (varchar_columns_[column_idx]) {
          cell->string_value = content;
        } else if (!DecodeTimeText(column_idx, content, cell->int_value)) {
          return false;
        }
        cell->is_null = false;
      }
    } else if (first == '-' || IsDigit(first)) {
      bool is_integer;
      bool fits;
      int64_t value;
      p = take ? ScanNumber<true>(p, end, json.data(), is_integer, fits, value)
               : ScanNumber<false>(p, end, json.data(), is_integer, fits, value);
      if (p == nullptr) return false;
      if (take) {
        if (!int64_columns_[column_idx] || !is_integer || !fits) return false;
        cell->int_value = value;
        cell->is_null = false;
      }
    } else if (first == 'n') {
      p = ScanLiteral(p, end, "null");
      if (p == nullptr) return false;
      if (take) cell->is_null = true;
    } else if (first == 't' || first == 'f') {
      p = ScanLiteral(p, end, first == 't' ? std::string_view("true") : std::string_view("false"));
      if (p == nullptr) return false;
      if (take) {
        if (types_[column_idx].id() != TypeId::kBoolean) return false;
        cell->int_value = first == 't' ? 1 : 0;
        cell->is_null = false;
      }
    } else {
      return false;  // an object or an array (or not JSON at all)
    }
    if (take) match_rank_[column_idx] = exact ? 2 : 1;

    if (end - p >= 2 && *p == ',' && p[1] == '"') {  // compact: the next key
      p += 2;
      continue;
    }
    p = SkipSpace(p, end);
    if (p == end) return false;
    if (*p == '}') return SkipSpace(p + 1, end) == end;
    if (*p != ',') return false;
    p = SkipSpace(p + 1, end);
    if (p == end || *p != '"') return false;
    ++p;
  }
}

}  // namespace sluice
