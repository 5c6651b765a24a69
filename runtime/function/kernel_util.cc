#include "runtime/function/kernel_util.h"

namespace sluice {

std::string CellText(const Vector& vector, size_t row) {
  return vector.column().GetValue(vector.Index(row)).ToSqlLiteral();
}

size_t Utf8CharCount(std::string_view text) {
  size_t count = 0;
  for (size_t pos = 0; pos < text.size(); ++count) {
    pos += Utf8CharLength(static_cast<unsigned char>(text[pos]));
  }
  return count;
}

size_t Utf8ByteOffset(std::string_view text, size_t chars) {
  size_t pos = 0;
  for (size_t char_idx = 0; char_idx < chars && pos < text.size(); ++char_idx) {
    pos += Utf8CharLength(static_cast<unsigned char>(text[pos]));
  }
  return pos < text.size() ? pos : text.size();
}

ScalarFunction MakeFunction(std::string name, int min_args, int max_args, std::string description,
                            std::vector<FunctionOverload> overloads) {
  ScalarFunction function;
  function.name = std::move(name);
  function.min_args = min_args;
  function.max_args = max_args;
  function.description = std::move(description);
  function.overloads = std::move(overloads);
  return function;
}

}  // namespace sluice
