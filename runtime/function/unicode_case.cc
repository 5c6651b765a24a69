#include "runtime/function/unicode_case.h"

#include <cstdint>

namespace sluice {

namespace {

// Decodes one code point at text[pos]; invalid bytes decode as themselves (length 1).
char32_t Decode(std::string_view text, size_t pos, size_t* length) {
  unsigned char lead = static_cast<unsigned char>(text[pos]);
  size_t count = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3
                               : (lead >> 3) == 0x1E ? 4 : 0;
  if (count <= 1 || pos + count > text.size()) {
    *length = 1;
    return lead;
  }
  char32_t code = lead & (0xFF >> (count + 1));
  for (size_t byte_idx = 1; byte_idx < count; ++byte_idx) {
    unsigned char next = static_cast<unsigned char>(text[pos + byte_idx]);
    if ((next & 0xC0) != 0x80) {
      *length = 1;
      return lead;
    }
    code = (code << 6) | (next & 0x3F);
  }
  *length = count;
  return code;
}

void Encode(char32_t code, std::string& out) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// Latin Extended-A alternates upper/lower in pairs; which parity is upper depends on the block.
bool LatinExtendedUpperIsEven(char32_t code) {
  return (code >= 0x100 && code <= 0x137) || (code >= 0x14A && code <= 0x177);
}
bool InLatinExtendedPairs(char32_t code) {
  return (code >= 0x100 && code <= 0x137) || (code >= 0x139 && code <= 0x148) ||
         (code >= 0x14A && code <= 0x177) || (code >= 0x179 && code <= 0x17E);
}

char32_t ToUpper(char32_t code) {
  if (code >= 'a' && code <= 'z') return code - 32;
  if (code < 0x80) return code;
  if (code >= 0xE0 && code <= 0xFE && code != 0xF7) return code - 0x20;
  if (code == 0xFF) return 0x178;
  if (InLatinExtendedPairs(code)) {
    bool even = code % 2 == 0;
    bool is_upper = LatinExtendedUpperIsEven(code) ? even : !even;
    return is_upper ? code : code - 1;
  }
  if (code == 0x3C2) return 0x3A3;  // final sigma
  if (code >= 0x3B1 && code <= 0x3C9) return code - 0x20;
  if (code >= 0x430 && code <= 0x44F) return code - 0x20;
  if (code >= 0x450 && code <= 0x45F) return code - 0x50;
  return code;
}

char32_t ToLower(char32_t code) {
  if (code >= 'A' && code <= 'Z') return code + 32;
  if (code < 0x80) return code;
  if (code >= 0xC0 && code <= 0xDE && code != 0xD7) return code + 0x20;
  if (code == 0x178) return 0xFF;
  if (InLatinExtendedPairs(code)) {
    bool even = code % 2 == 0;
    bool is_upper = LatinExtendedUpperIsEven(code) ? even : !even;
    return is_upper ? code + 1 : code;
  }
  if (code >= 0x391 && code <= 0x3A9 && code != 0x3A2) return code + 0x20;
  if (code >= 0x410 && code <= 0x42F) return code + 0x20;
  if (code >= 0x400 && code <= 0x40F) return code + 0x50;
  return code;
}

bool IsWordChar(char32_t code) {
  if (code < 0x80) {
    return (code >= 'a' && code <= 'z') || (code >= 'A' && code <= 'Z') ||
           (code >= '0' && code <= '9');
  }
  // Non-ASCII letters count as word characters when they have a case, or are beyond Latin-1
  // punctuation.
  return ToUpper(code) != code || ToLower(code) != code || code >= 0x100;
}

}  // namespace

void AppendCaseMapped(std::string_view text, CaseMapping mapping, std::string& out) {
  out.reserve(out.size() + text.size());
  bool in_word = false;
  for (size_t pos = 0; pos < text.size();) {
    unsigned char byte = static_cast<unsigned char>(text[pos]);
    size_t length = 1;
    char32_t code = byte < 0x80 ? byte : Decode(text, pos, &length);
    char32_t mapped = code;
    switch (mapping) {
      case CaseMapping::kUpper: mapped = ToUpper(code); break;
      case CaseMapping::kLower: mapped = ToLower(code); break;
      case CaseMapping::kTitle:
        mapped = in_word ? ToLower(code) : ToUpper(code);
        in_word = IsWordChar(code);
        break;
    }
    if (mapped == code) {
      out.append(text.substr(pos, length));  // unchanged bytes, even if they are not valid UTF-8
    } else {
      Encode(mapped, out);
    }
    pos += length;
  }
}

}  // namespace sluice
