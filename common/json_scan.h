#pragma once
// Byte-class scans shared by the JSON decoder's fast path and the JSON string writer: which of
// 16 bytes end a plain run of string content. SSE2 where the target has it (every x86-64);
// elsewhere callers take their byte-at-a-time loops.

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#define SLUICE_JSON_SCAN_SSE2 1
#endif

namespace sluice {

#if defined(SLUICE_JSON_SCAN_SSE2)
// Bit i set when byte i of `bytes` is a quote, a backslash or a control character (< 0x20): the
// bytes a JSON string cannot hold raw.
inline unsigned JsonEscapeMask(__m128i bytes) {
  const __m128i special =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')),
                                _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))),
                   _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1F)), bytes));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}

// JsonEscapeMask's bytes and those that are not ASCII. One signed comparison finds both control
// characters and non-ASCII bytes: as signed bytes, 0x80 to 0xFF are negative, below 0x20.
inline unsigned JsonEscapeOrNonAsciiMask(__m128i bytes) {
  const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))),
                                       _mm_cmplt_epi8(bytes, _mm_set1_epi8(0x20)));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

}  // namespace sluice
