// String functions. Lengths and positions count characters (UTF-8 code points), not bytes, and
// positions are 1-based as in SQL. Results are written into the output column's own arena.

#include "runtime/expression/evaluate_internal.h"
#include "runtime/function/function_registry.h"
#include "runtime/function/kernel_util.h"
#include "runtime/function/unicode_case.h"

namespace sluice {

namespace {

// Longest string a padding function may produce, in characters; guards against lpad(s, 1e12).
constexpr int64_t kMaxPaddedLength = 10'000'000;

// Runs fn(text, buffer) for each row to compute; the buffer becomes the row's value.
template <typename Fn>
Status StringMap(const KernelArgs& args, Column& out, Fn fn) {
  const Vector& input = args.args[0];
  std::string buffer;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    buffer.clear();
    fn(input.String(row), buffer);
    SetString(out, row, buffer);
  }
  return Status::OK();
}

Status UpperKernel(const KernelArgs& args, Column& out) {
  return StringMap(args, out, [](std::string_view text, std::string& buffer) {
    AppendCaseMapped(text, CaseMapping::kUpper, buffer);
  });
}

Status LowerKernel(const KernelArgs& args, Column& out) {
  return StringMap(args, out, [](std::string_view text, std::string& buffer) {
    AppendCaseMapped(text, CaseMapping::kLower, buffer);
  });
}

Status InitcapKernel(const KernelArgs& args, Column& out) {
  return StringMap(args, out, [](std::string_view text, std::string& buffer) {
    AppendCaseMapped(text, CaseMapping::kTitle, buffer);
  });
}

Status ReverseKernel(const KernelArgs& args, Column& out) {
  return StringMap(args, out, [](std::string_view text, std::string& buffer) {
    buffer.resize(text.size());
    size_t end = text.size();
    for (size_t pos = 0; pos < text.size();) {
      size_t length = std::min(Utf8CharLength(static_cast<unsigned char>(text[pos])),
                               text.size() - pos);
      end -= length;
      text.copy(buffer.data() + end, length, pos);
      pos += length;
    }
  });
}

enum class TrimSide { kBoth, kLeft, kRight };

// Whether the character at text[pos, pos + length) is one of `chars`.
bool InCharSet(std::string_view text, size_t pos, size_t length, std::string_view chars) {
  for (size_t char_pos = 0; char_pos < chars.size();) {
    size_t char_length = Utf8CharLength(static_cast<unsigned char>(chars[char_pos]));
    if (chars.substr(char_pos, char_length) == text.substr(pos, length)) return true;
    char_pos += char_length;
  }
  return false;
}

template <TrimSide kSide>
Status TrimKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    std::string_view text = input.String(row);
    std::string_view chars = args.args.size() > 1 ? args.args[1].String(row) : " ";
    size_t begin = 0, end = text.size();
    if (kSide != TrimSide::kRight) {
      while (begin < end) {
        size_t length = Utf8CharLength(static_cast<unsigned char>(text[begin]));
        if (!InCharSet(text, begin, length, chars)) break;
        begin += length;
      }
    }
    if (kSide != TrimSide::kLeft) {
      while (end > begin) {
        size_t start = end - 1;  // back up to the first byte of the last character
        while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        if (!InCharSet(text, start, end - start, chars)) break;
        end = start;
      }
    }
    // A trimmed string is a slice of the input: share its bytes.
    out.strings()[row] = text.substr(begin, end - begin);
  }
  ShareStringArenas(input.column(), out);
  return Status::OK();
}

Status SubstringKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  const Vector& start = args.args[1];
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    std::string_view text = input.String(row);
    int64_t first = start.Int(row);  // 1-based, may be <= 0
    int64_t last = INT64_MAX;        // exclusive
    if (args.args.size() > 2) {
      int64_t length = args.args[2].Int(row);
      if (length < 0) return args.Error(row, "substring: negative length " + std::to_string(length));
      if (__builtin_add_overflow(first, length, &last)) last = INT64_MAX;
    }
    int64_t begin_char = std::max<int64_t>(first, 1) - 1;
    int64_t end_char = last == INT64_MAX ? INT64_MAX : std::max<int64_t>(last - 1, begin_char);
    size_t begin = Utf8ByteOffset(text, static_cast<size_t>(begin_char));
    size_t end = end_char == INT64_MAX
                     ? text.size()
                     : begin + Utf8ByteOffset(text.substr(begin),
                                              static_cast<size_t>(end_char - begin_char));
    out.strings()[row] = text.substr(begin, end - begin);  // a slice: shares the input's bytes
  }
  ShareStringArenas(input.column(), out);
  return Status::OK();
}

Status ReplaceKernel(const KernelArgs& args, Column& out) {
  std::string buffer;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    std::string_view text = args.args[0].String(row);
    std::string_view from = args.args[1].String(row);
    std::string_view to = args.args[2].String(row);
    buffer.clear();
    if (from.empty()) {
      buffer = text;
    } else {
      size_t pos = 0;
      for (size_t hit; (hit = text.find(from, pos)) != std::string_view::npos; pos = hit + from.size()) {
        buffer.append(text.substr(pos, hit - pos)).append(to);
      }
      buffer.append(text.substr(pos));
    }
    SetString(out, row, buffer);
  }
  return Status::OK();
}

Status SplitKernel(const KernelArgs& args, Column& out) {
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    std::string_view text = args.args[0].String(row);
    std::string_view delimiter = args.args[1].String(row);
    std::vector<Value> parts;
    if (!text.empty() && delimiter.empty()) {
      parts.push_back(Value::Varchar(std::string(text)));
    } else if (!text.empty()) {
      size_t pos = 0;
      for (size_t hit; (hit = text.find(delimiter, pos)) != std::string_view::npos;
           pos = hit + delimiter.size()) {
        parts.push_back(Value::Varchar(std::string(text.substr(pos, hit - pos))));
      }
      parts.push_back(Value::Varchar(std::string(text.substr(pos))));
    }
    out.nested()[row] = Value::Array(out.type(), std::move(parts));
  }
  return Status::OK();
}

Status CharLengthKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  bool bytes = input.column().type().id() == TypeId::kBytes;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    std::string_view text = input.String(row);
    out.ints()[row] = static_cast<int64_t>(bytes ? text.size() : Utf8CharCount(text));
  }
  return Status::OK();
}

// 1-based character position of `needle` in `haystack`, 0 when absent.
int64_t CharPosition(std::string_view haystack, std::string_view needle) {
  size_t hit = haystack.find(needle);
  if (hit == std::string_view::npos) return 0;
  return static_cast<int64_t>(Utf8CharCount(haystack.substr(0, hit))) + 1;
}

// POSITION(needle, haystack) in SQL order; INSTR/STRPOS take (haystack, needle).
template <bool kNeedleFirst>
Status PositionKernel(const KernelArgs& args, Column& out) {
  const Vector& needle = args.args[kNeedleFirst ? 0 : 1];
  const Vector& haystack = args.args[kNeedleFirst ? 1 : 0];
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    out.ints()[row] = CharPosition(haystack.String(row), needle.String(row));
  }
  return Status::OK();
}

template <bool kLeft>
Status PadKernel(const KernelArgs& args, Column& out) {
  std::string buffer;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    std::string_view text = args.args[0].String(row);
    int64_t length = args.args[1].Int(row);
    std::string_view fill = args.args.size() > 2 ? args.args[2].String(row) : " ";
    if (length > kMaxPaddedLength) {
      return args.Error(row, std::string(kLeft ? "lpad" : "rpad") + ": length " +
                                 std::to_string(length) + " is too large (at most " +
                                 std::to_string(kMaxPaddedLength) + ")");
    }
    size_t wanted = static_cast<size_t>(std::max<int64_t>(length, 0));
    size_t have = Utf8CharCount(text);
    buffer.clear();
    if (have >= wanted || fill.empty()) {
      buffer = text.substr(0, Utf8ByteOffset(text, wanted));
    } else {
      std::string padding;
      size_t fill_chars = Utf8CharCount(fill);
      size_t missing = wanted - have;
      for (size_t repeat = 0; repeat < missing / fill_chars; ++repeat) padding.append(fill);
      padding.append(fill.substr(0, Utf8ByteOffset(fill, missing % fill_chars)));
      buffer = kLeft ? padding + std::string(text) : std::string(text) + padding;
    }
    SetString(out, row, buffer);
  }
  return Status::OK();
}

template <bool kStarts>
Status AffixKernel(const KernelArgs& args, Column& out) {
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    std::string_view text = args.args[0].String(row);
    std::string_view affix = args.args[1].String(row);
    out.ints()[row] = kStarts ? text.starts_with(affix) : text.ends_with(affix);
  }
  return Status::OK();
}

Status ConcatOperatorKernel(const KernelArgs& args, Column& out) {
  std::string buffer;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    buffer.assign(args.args[0].String(row));
    buffer.append(args.args[1].String(row));
    SetString(out, row, buffer);
  }
  return Status::OK();
}

// CONCAT skips NULL arguments (PostgreSQL), so it is never NULL itself.
Status ConcatKernel(const KernelArgs& args, Column& out) {
  std::string buffer;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    buffer.clear();
    for (const Vector& arg : args.args) {
      if (arg.IsValid(row)) buffer.append(arg.String(row));
    }
    SetString(out, row, buffer);
  }
  return Status::OK();
}

}  // namespace

void RegisterStringFunctions(FunctionRegistry& registry) {
  DataType text = DataType::Varchar(), bigint = DataType::Bigint(), integer = DataType::Integer();
  DataType boolean = DataType::Boolean();

  ScalarFunction concat_operator =
      MakeFunction("||", 2, 2, "", {{{text, text}, false, text, nullptr, ConcatOperatorKernel}});
  concat_operator.is_operator = true;
  concat_operator.any_to_varchar = true;
  registry.Add(std::move(concat_operator));

  ScalarFunction concat = MakeFunction("concat", 1, -1, "joins its arguments as text, skipping NULLs",
                                   {{{text}, true, text, nullptr, ConcatKernel}});
  concat.any_to_varchar = true;
  concat.null_handling = NullHandling::kCustom;
  registry.Add(std::move(concat));

  registry.Add(MakeFunction("upper", 1, 1, "upper-cases text",
                        {{{text}, false, text, nullptr, UpperKernel}}));
  registry.Add(MakeFunction("lower", 1, 1, "lower-cases text",
                        {{{text}, false, text, nullptr, LowerKernel}}));
  registry.Add(MakeFunction("initcap", 1, 1, "upper-cases the first letter of each word",
                        {{{text}, false, text, nullptr, InitcapKernel}}));
  registry.Add(MakeFunction("reverse", 1, 1, "characters in reverse order",
                        {{{text}, false, text, nullptr, ReverseKernel}}));
  const char* trim_help = "removes spaces (or the given characters) from ";
  registry.Add(MakeFunction("trim", 1, 2, std::string(trim_help) + "both ends",
                        {{{text}, false, text, nullptr, TrimKernel<TrimSide::kBoth>},
                         {{text, text}, false, text, nullptr, TrimKernel<TrimSide::kBoth>}}),
               {"btrim"});
  registry.Add(MakeFunction("ltrim", 1, 2, std::string(trim_help) + "the start",
                        {{{text}, false, text, nullptr, TrimKernel<TrimSide::kLeft>},
                         {{text, text}, false, text, nullptr, TrimKernel<TrimSide::kLeft>}}));
  registry.Add(MakeFunction("rtrim", 1, 2, std::string(trim_help) + "the end",
                        {{{text}, false, text, nullptr, TrimKernel<TrimSide::kRight>},
                         {{text, text}, false, text, nullptr, TrimKernel<TrimSide::kRight>}}));
  registry.Add(MakeFunction("substring", 2, 3, "characters from a 1-based start [for a length]",
                        {{{text, bigint}, false, text, nullptr, SubstringKernel},
                         {{text, bigint, bigint}, false, text, nullptr, SubstringKernel}}),
               {"substr"});
  registry.Add(MakeFunction("replace", 3, 3, "replaces every occurrence of a substring",
                        {{{text, text, text}, false, text, nullptr, ReplaceKernel}}));
  registry.Add(MakeFunction("split", 2, 2, "splits text at a delimiter into an array",
                        {{{text, text}, false, DataType::Array(text), nullptr, SplitKernel}}));
  registry.Add(MakeFunction("length", 1, 1, "number of characters (bytes for BYTES)",
                        {{{text}, false, integer, nullptr, CharLengthKernel},
                         {{DataType::Bytes()}, false, integer, nullptr, CharLengthKernel}}),
               {"char_length", "character_length"});
  registry.Add(MakeFunction("position", 2, 2, "1-based position of a substring in text, 0 if absent",
                        {{{text, text}, false, integer, nullptr, PositionKernel<true>}}));
  registry.Add(MakeFunction("instr", 2, 2, "1-based position of a substring in text, 0 if absent",
                        {{{text, text}, false, integer, nullptr, PositionKernel<false>}}),
               {"strpos"});
  registry.Add(MakeFunction("lpad", 2, 3, "pads on the left (or truncates) to a length",
                        {{{text, bigint}, false, text, nullptr, PadKernel<true>},
                         {{text, bigint, text}, false, text, nullptr, PadKernel<true>}}));
  registry.Add(MakeFunction("rpad", 2, 3, "pads on the right (or truncates) to a length",
                        {{{text, bigint}, false, text, nullptr, PadKernel<false>},
                         {{text, bigint, text}, false, text, nullptr, PadKernel<false>}}));
  registry.Add(MakeFunction("starts_with", 2, 2, "whether text begins with a prefix",
                        {{{text, text}, false, boolean, nullptr, AffixKernel<true>}}));
  registry.Add(MakeFunction("ends_with", 2, 2, "whether text ends with a suffix",
                        {{{text, text}, false, boolean, nullptr, AffixKernel<false>}}));
}

}  // namespace sluice
