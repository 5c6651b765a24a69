#include "common/types.h"

#include <cctype>
#include <ostream>
#include <utility>

namespace sluice {

namespace {

// A struct field name is written bare when it is a plain lower-case identifier, otherwise in
// double quotes (with "" for a quote), so that any name survives ToString -> ParseTypeString.
bool IsBareIdentifier(std::string_view name) {
  if (name.empty()) return false;
  if (!(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '_')) return false;
  }
  return true;
}

void AppendFieldName(std::string_view name, std::string& out) {
  if (IsBareIdentifier(name)) {
    out += name;
    return;
  }
  out.push_back('"');
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

// Recursive-descent reader over the ToString spelling. Keywords are case-insensitive.
class TypeStringReader {
 public:
  explicit TypeStringReader(std::string_view text) : text_(text) {}

  Result<DataType> ReadAll() {
    ASSIGN_OR_RETURN(DataType type, ReadType());
    SkipSpaces();
    if (pos_ != text_.size()) return Error("unexpected text after type");
    return type;
  }

 private:
  Status Error(std::string_view what) const {
    return Status::Internal("invalid type string \"" + std::string(text_) +
                            "\": " + std::string(what) + " at offset " + std::to_string(pos_));
  }

  void SkipSpaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool Consume(char c) {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Status Expect(char c) {
    if (!Consume(c)) return Error(std::string("expected '") + c + "'");
    return Status::OK();
  }

  std::string ReadWord() {
    SkipSpaces();
    std::string word;
    while (pos_ < text_.size()) {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (!(std::isalnum(c) || c == '_')) break;
      word.push_back(static_cast<char>(std::toupper(c)));
      ++pos_;
    }
    return word;
  }

  Result<int> ReadInt() {
    SkipSpaces();
    size_t start = pos_;
    int value = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      value = value * 10 + (text_[pos_] - '0');
      if (value > 1000) return Error("number too large");
      ++pos_;
    }
    if (pos_ == start) return Error("expected a number");
    return value;
  }

  Result<std::string> ReadFieldName() {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      std::string name;
      while (true) {
        if (pos_ >= text_.size()) return Error("unterminated quoted field name");
        char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            name.push_back('"');
            ++pos_;
            continue;
          }
          return name;
        }
        name.push_back(c);
      }
    }
    size_t start = pos_;
    while (pos_ < text_.size()) {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (!(std::isalnum(c) || c == '_')) break;
      ++pos_;
    }
    if (pos_ == start) return Error("expected a field name");
    return std::string(text_.substr(start, pos_ - start));
  }

  Result<DataType> ReadType() {
    std::string word = ReadWord();
    if (word == "NULL") return DataType::Null();
    if (word == "BOOLEAN") return DataType::Boolean();
    if (word == "INTEGER") return DataType::Integer();
    if (word == "BIGINT") return DataType::Bigint();
    if (word == "DOUBLE") return DataType::Double();
    if (word == "VARCHAR") return DataType::Varchar();
    if (word == "TIMESTAMP") return DataType::Timestamp();
    if (word == "DATE") return DataType::Date();
    if (word == "BYTES") return DataType::Bytes();
    if (word == "DECIMAL") {
      RETURN_NOT_OK(Expect('('));
      ASSIGN_OR_RETURN(int precision, ReadInt());
      RETURN_NOT_OK(Expect(','));
      ASSIGN_OR_RETURN(int scale, ReadInt());
      RETURN_NOT_OK(Expect(')'));
      if (precision < 1 || precision > 18 || scale > precision) {
        return Error("DECIMAL precision must be 1..18 and scale at most the precision");
      }
      return DataType::Decimal(precision, scale);
    }
    if (word == "ARRAY") {
      RETURN_NOT_OK(Expect('<'));
      ASSIGN_OR_RETURN(DataType element, ReadType());
      RETURN_NOT_OK(Expect('>'));
      return DataType::Array(std::move(element));
    }
    if (word == "MAP") {
      RETURN_NOT_OK(Expect('<'));
      ASSIGN_OR_RETURN(DataType key, ReadType());
      if (key.id() != TypeId::kVarchar) return Error("MAP keys must be VARCHAR");
      RETURN_NOT_OK(Expect(','));
      ASSIGN_OR_RETURN(DataType value, ReadType());
      RETURN_NOT_OK(Expect('>'));
      return DataType::Map(std::move(value));
    }
    if (word == "STRUCT") {
      RETURN_NOT_OK(Expect('<'));
      std::vector<std::string> names;
      std::vector<DataType> types;
      if (!Consume('>')) {
        do {
          ASSIGN_OR_RETURN(std::string name, ReadFieldName());
          ASSIGN_OR_RETURN(DataType type, ReadType());
          names.push_back(std::move(name));
          types.push_back(std::move(type));
        } while (Consume(','));
        RETURN_NOT_OK(Expect('>'));
      }
      return DataType::Struct(std::move(names), std::move(types));
    }
    return Error(word.empty() ? "expected a type name" : "unknown type " + word);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

DataType DataType::Decimal(int precision, int scale) {
  DataType type(TypeId::kDecimal);
  type.precision_ = precision;
  type.scale_ = scale;
  return type;
}

DataType DataType::Struct(std::vector<std::string> field_names, std::vector<DataType> field_types) {
  DataType type(TypeId::kStruct);
  type.field_names_ = std::move(field_names);
  type.children_ = std::move(field_types);
  return type;
}

DataType DataType::Array(DataType element) {
  DataType type(TypeId::kArray);
  type.children_.push_back(std::move(element));
  return type;
}

DataType DataType::Map(DataType value) {
  DataType type(TypeId::kMap);
  type.children_.push_back(std::move(value));
  return type;
}

int DataType::FieldIndex(std::string_view name) const {
  for (size_t field_idx = 0; field_idx < field_names_.size(); ++field_idx) {
    if (field_names_[field_idx] == name) return static_cast<int>(field_idx);
  }
  return -1;
}

std::string DataType::ToString() const {
  switch (id_) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kInteger: return "INTEGER";
    case TypeId::kBigint: return "BIGINT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kDecimal:
      return "DECIMAL(" + std::to_string(precision_) + ", " + std::to_string(scale_) + ")";
    case TypeId::kVarchar: return "VARCHAR";
    case TypeId::kTimestamp: return "TIMESTAMP";
    case TypeId::kDate: return "DATE";
    case TypeId::kBytes: return "BYTES";
    case TypeId::kStruct: {
      std::string out = "STRUCT<";
      for (size_t field_idx = 0; field_idx < children_.size(); ++field_idx) {
        if (field_idx > 0) out += ", ";
        AppendFieldName(field_names_[field_idx], out);
        out.push_back(' ');
        out += children_[field_idx].ToString();
      }
      return out + ">";
    }
    case TypeId::kArray: return "ARRAY<" + children_[0].ToString() + ">";
    case TypeId::kMap: return "MAP<VARCHAR, " + children_[0].ToString() + ">";
  }
  return "NULL";
}

bool DataType::operator==(const DataType& other) const {
  if (id_ != other.id_) return false;
  if (id_ == TypeId::kDecimal) return precision_ == other.precision_ && scale_ == other.scale_;
  return children_ == other.children_ && field_names_ == other.field_names_;
}

std::ostream& operator<<(std::ostream& out, const DataType& type) { return out << type.ToString(); }

Result<DataType> ParseTypeString(std::string_view text) { return TypeStringReader(text).ReadAll(); }

int Schema::IndexOf(std::string_view name) const {
  for (size_t column_idx = 0; column_idx < fields_.size(); ++column_idx) {
    if (fields_[column_idx].name == name) return static_cast<int>(column_idx);
  }
  return -1;
}

}  // namespace sluice
