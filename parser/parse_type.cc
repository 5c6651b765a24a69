// SQL type names -> DataType: scalar names, DECIMAL(p, s), VARCHAR(n), STRUCT<...>, ARRAY<T>,
// MAP<VARCHAR, T>.

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "parser/sql_parser.h"

namespace sluice {
namespace {

constexpr int kMaxDecimalPrecision = 18;

constexpr std::array<std::string_view, 18> kTypeNames = {
    "array",   "bigint", "bool",    "boolean", "bytes",  "date",      "decimal", "double", "int",
    "integer", "map",    "numeric", "string",  "struct", "timestamp", "varchar", "float",  "real"};

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Types spelled with one word and no parameters.
std::optional<DataType> ScalarType(std::string_view name) {
  if (name == "boolean" || name == "bool") return DataType::Boolean();
  if (name == "integer" || name == "int") return DataType::Integer();
  if (name == "bigint") return DataType::Bigint();
  if (name == "double" || name == "float" || name == "real") return DataType::Double();
  if (name == "timestamp") return DataType::Timestamp();
  if (name == "date") return DataType::Date();
  if (name == "bytes") return DataType::Bytes();
  return std::nullopt;
}

std::string Upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

}  // namespace

Result<TypeName> SqlParser::ParseType() {
  TypeName type;
  type.position = Peek().position;
  ASSIGN_OR_RETURN(type.type, ParseTypeBody());
  return type;
}

Result<DataType> SqlParser::ParseTypeBody() {
  DepthScope scope(&depth_);
  RETURN_NOT_OK(Deeper());
  const Token& token = Peek();
  if (token.kind != TokenKind::kIdentifier) return SyntaxError();
  const std::string& name = token.text;
  if (std::optional<DataType> scalar = ScalarType(name)) {
    Advance();
    if (name == "double") AcceptKeyword("precision");
    return *scalar;
  }
  if (name == "varchar" || name == "string") {
    Advance();
    if (Accept(TokenKind::kLParen)) {  // a length limit is accepted and not enforced
      RETURN_NOT_OK(ParseNonNegativeInteger("as VARCHAR length").status());
      RETURN_NOT_OK(Expect(TokenKind::kRParen, "after VARCHAR length"));
    }
    return DataType::Varchar();
  }
  if (name == "decimal" || name == "numeric") {
    Advance();
    int precision = kMaxDecimalPrecision;
    int scale = 0;
    if (Accept(TokenKind::kLParen)) {
      const Token& precision_token = Peek();
      ASSIGN_OR_RETURN(int64_t p, ParseNonNegativeInteger("as DECIMAL precision"));
      if (p < 1 || p > kMaxDecimalPrecision) {
        return Status::Parser("DECIMAL precision must be between 1 and 18",
                              precision_token.position);
      }
      precision = static_cast<int>(p);
      if (Accept(TokenKind::kComma)) {
        const Token& scale_token = Peek();
        ASSIGN_OR_RETURN(int64_t s, ParseNonNegativeInteger("as DECIMAL scale"));
        if (s > p) {
          return Status::Parser(
              "DECIMAL scale must be between 0 and the precision (" + std::to_string(p) + ")",
              scale_token.position);
        }
        scale = static_cast<int>(s);
      }
      RETURN_NOT_OK(Expect(TokenKind::kRParen, "after DECIMAL precision and scale"));
    }
    return DataType::Decimal(precision, scale);
  }
  if (name == "array") {
    Advance();
    RETURN_NOT_OK(Expect(TokenKind::kLess, "after ARRAY"));
    ASSIGN_OR_RETURN(DataType element, ParseTypeBody());
    RETURN_NOT_OK(Expect(TokenKind::kGreater, "after ARRAY element type"));
    return DataType::Array(std::move(element));
  }
  if (name == "map") {
    Advance();
    RETURN_NOT_OK(Expect(TokenKind::kLess, "after MAP"));
    int64_t key_position = Peek().position;
    ASSIGN_OR_RETURN(DataType key, ParseTypeBody());
    if (key.id() != TypeId::kVarchar) {
      return Status::Parser("MAP keys must be VARCHAR, not " + TypeToSql(key), key_position);
    }
    RETURN_NOT_OK(Expect(TokenKind::kComma, "after MAP key type"));
    ASSIGN_OR_RETURN(DataType value, ParseTypeBody());
    RETURN_NOT_OK(Expect(TokenKind::kGreater, "after MAP value type"));
    return DataType::Map(std::move(value));
  }
  if (name == "struct") {
    Advance();
    RETURN_NOT_OK(Expect(TokenKind::kLess, "after STRUCT"));
    std::vector<std::string> field_names;
    std::vector<DataType> field_types;
    do {
      ASSIGN_OR_RETURN(Identifier field, ParseIdentifier("field name"));
      if (std::find(field_names.begin(), field_names.end(), field.name) != field_names.end()) {
        return Status::Parser("duplicate field name \"" + field.name + "\" in STRUCT",
                              field.position);
      }
      ASSIGN_OR_RETURN(DataType field_type, ParseTypeBody());
      field_names.push_back(std::move(field.name));
      field_types.push_back(std::move(field_type));
    } while (Accept(TokenKind::kComma));
    RETURN_NOT_OK(Expect(TokenKind::kGreater, "after STRUCT fields"));
    return DataType::Struct(std::move(field_names), std::move(field_types));
  }

  std::string message = "unknown type " + Describe(token);
  std::string_view best;
  // Suggest only close misspellings: one edit per three letters.
  size_t best_distance = std::max<size_t>(1, name.size() / 3) + 1;
  for (std::string_view known : kTypeNames) {
    size_t distance = EditDistance(name, known);
    if (distance < best_distance) {
      best = known;
      best_distance = distance;
    }
  }
  if (!best.empty()) message += " (did you mean \"" + Upper(best) + "\"?)";
  return ErrorAt(token, std::move(message));
}

}  // namespace sluice
