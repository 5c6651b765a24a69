// ExpressionToJson / ExpressionFromJson. Every node records its kind, type and position; reading
// rebuilds each node from its children and checks that it comes out with the recorded type, so a
// plan written by a coordinator with a different function catalog fails loudly at load time
// rather than computing something else.

#include "runtime/expression/expression_json.h"

#include <simdjson.h>

#include <cmath>

#include "common/json_codec.h"
#include "common/json_writer.h"
#include "runtime/expression/expression_factory.h"
#include "runtime/function/function_registry.h"

namespace sluice {

namespace {

using simdjson::dom::element;

const char* KindName(ExpressionKind kind) {
  switch (kind) {
    case ExpressionKind::kColumnRef: return "column";
    case ExpressionKind::kLiteral: return "literal";
    case ExpressionKind::kFunctionCall: return "call";
    case ExpressionKind::kCast: return "cast";
    case ExpressionKind::kCase: return "case";
    case ExpressionKind::kAnd: return "and";
    case ExpressionKind::kOr: return "or";
    case ExpressionKind::kNot: return "not";
    case ExpressionKind::kIsNull: return "is_null";
    case ExpressionKind::kInList: return "in";
    case ExpressionKind::kLike: return "like";
    case ExpressionKind::kCoalesce: return "coalesce";
    case ExpressionKind::kNullIf: return "nullif";
    case ExpressionKind::kStructField: return "field";
    case ExpressionKind::kMapAccess: return "map_get";
    case ExpressionKind::kArraySubscript: return "subscript";
  }
  return "?";
}

// Literal values: integers (and BOOLEAN, DATE, TIMESTAMP, unscaled DECIMAL) as JSON integers,
// doubles as numbers or "NaN"/"Infinity"/"-Infinity" (JSON has no such numbers), text as
// strings, BYTES as base64, nested values in the JSON record codec's form.
void WriteLiteral(JsonWriter& writer, const Value& value) {
  if (value.is_null()) {
    writer.Null();
    return;
  }
  switch (value.type().physical()) {
    case PhysicalKind::kNull: writer.Null(); break;
    case PhysicalKind::kInt64: writer.Int(value.int_value()); break;
    case PhysicalKind::kDouble: {
      double number = value.double_value();
      if (std::isnan(number)) {
        writer.String("NaN");
      } else if (std::isinf(number)) {
        writer.String(number > 0 ? "Infinity" : "-Infinity");
      } else {
        writer.Double(number);
      }
      break;
    }
    case PhysicalKind::kString:
      if (value.type().id() == TypeId::kBytes) {
        std::string encoded;
        AppendBase64(value.string_value(), encoded);
        writer.String(encoded);
      } else {
        writer.String(value.string_value());
      }
      break;
    case PhysicalKind::kNested: writer.Raw(ValueToJson(value)); break;
  }
}

void Write(JsonWriter& writer, const Expression& expr) {
  writer.BeginObject();
  writer.Key("kind").String(KindName(expr.kind()));
  writer.Key("type").String(expr.type().ToString());
  writer.Key("pos").Int(expr.position());
  switch (expr.kind()) {
    case ExpressionKind::kColumnRef:
      writer.Key("index").Int(expr.As<ColumnRefExpression>().index());
      break;
    case ExpressionKind::kLiteral:
      writer.Key("value");
      WriteLiteral(writer, expr.As<LiteralExpression>().value());
      break;
    case ExpressionKind::kFunctionCall:
      writer.Key("name").String(expr.As<FunctionCallExpression>().function().name);
      break;
    case ExpressionKind::kCase:
      writer.Key("has_else").Bool(expr.As<CaseExpression>().has_else());
      break;
    case ExpressionKind::kIsNull:
      writer.Key("negated").Bool(expr.As<IsNullExpression>().negated());
      break;
    case ExpressionKind::kInList:
      writer.Key("negated").Bool(expr.As<InListExpression>().negated());
      break;
    case ExpressionKind::kLike: {
      const auto& like = expr.As<LikeExpression>();
      writer.Key("negated").Bool(like.negated());
      writer.Key("escape").String(std::string(1, like.escape()));
      break;
    }
    case ExpressionKind::kStructField:
      writer.Key("field").Int(expr.As<StructFieldExpression>().field_index());
      break;
    default: break;
  }
  if (!expr.children().empty()) {
    writer.Key("args").BeginArray();
    for (const ExpressionPtr& child : expr.children()) Write(writer, *child);
    writer.EndArray();
  }
  writer.EndObject();
}

Status Malformed(std::string_view what) {
  return Status::Internal("malformed expression in plan: " + std::string(what));
}

// Factory errors on load mean the plan and this worker disagree; they are not the user's SQL.
Status Mismatch(const Status& status) {
  return Status::Internal("expression in plan no longer binds: " + status.message());
}

Result<Value> ReadLiteral(element json, const DataType& type) {
  if (json.is_null()) return Value::Null(type);
  switch (type.physical()) {
    case PhysicalKind::kNull: return Value::Null(type);
    case PhysicalKind::kInt64: {
      int64_t number;
      if (json.get(number) != simdjson::SUCCESS) return Malformed("literal is not an integer");
      return Value::FromInt64(type, number);
    }
    case PhysicalKind::kDouble: {
      std::string_view text;
      if (json.get(text) == simdjson::SUCCESS) {
        if (text == "NaN") return Value::Double(std::nan(""));
        if (text == "Infinity") return Value::Double(HUGE_VAL);
        if (text == "-Infinity") return Value::Double(-HUGE_VAL);
        return Malformed("literal is not a number");
      }
      double number;
      if (json.get(number) != simdjson::SUCCESS) return Malformed("literal is not a number");
      return Value::Double(number);
    }
    case PhysicalKind::kString: {
      std::string_view text;
      if (json.get(text) != simdjson::SUCCESS) return Malformed("literal is not a string");
      if (type.id() != TypeId::kBytes) return Value::Varchar(std::string(text));
      std::string bytes;
      if (!DecodeBase64(text, bytes)) return Malformed("BYTES literal is not base64");
      return Value::Bytes(std::move(bytes));
    }
    case PhysicalKind::kNested: {
      // The record decoder reads nested JSON into a typed cell, exactly as for a source.
      Schema schema({Field{"v", type}});
      JsonRecordDecoder decoder(schema, {0});
      RecordBatch batch(decoder.output_schema());
      std::string record = "{\"v\":" + simdjson::minify(json) + "}";
      Status status = decoder.DecodeRow(record, batch);
      if (!status.ok()) return Malformed("nested literal: " + status.message());
      return batch.column(0).GetValue(0);
    }
  }
  return Malformed("literal of unknown type");
}

Result<ExpressionPtr> Read(element json);

Result<ExpressionPtr> ReadCall(std::string_view name, std::vector<ExpressionPtr> args,
                               const DataType& type, int64_t position) {
  const ScalarFunction* function = FunctionRegistry::Global().Find(name);
  if (function == nullptr) {
    return Status::Internal("expression in plan calls unknown function " + std::string(name));
  }
  std::vector<DataType> arg_types;
  for (const ExpressionPtr& arg : args) arg_types.push_back(arg->type());
  Result<ResolvedOverload> resolved = ResolveOverload(*function, arg_types, position);
  if (!resolved.ok()) return Mismatch(resolved.status());
  if (resolved->return_type != type) {
    return Status::Internal("function " + std::string(name) + " now returns " +
                            resolved->return_type.ToString() + ", the plan expects " +
                            type.ToString());
  }
  // Arguments were written already cast; a cast appears only if the catalog changed its mind.
  for (size_t arg_idx = 0; arg_idx < args.size(); ++arg_idx) {
    Result<ExpressionPtr> cast = MakeCast(std::move(args[arg_idx]), resolved->arg_types[arg_idx]);
    if (!cast.ok()) return Mismatch(cast.status());
    args[arg_idx] = std::move(cast).value();
  }
  std::shared_ptr<const FunctionState> state;
  if (function->prepare != nullptr) {
    Result<std::shared_ptr<const FunctionState>> prepared = function->prepare(args, position);
    if (!prepared.ok()) return Mismatch(prepared.status());
    state = std::move(prepared).value();
  }
  return ExpressionPtr(std::make_unique<FunctionCallExpression>(
      *function, resolved->overload_index, std::move(state), type, std::move(args), position));
}

// Rebuilds the node of `kind` from already rebuilt children.
Result<ExpressionPtr> Build(std::string_view kind, element json, const DataType& type,
                            int64_t position, std::vector<ExpressionPtr> args) {
  auto flag = [&](const char* key) {
    bool value = false;
    return json[key].get(value) == simdjson::SUCCESS && value;
  };
  auto want_args = [&](size_t count) -> Status {
    if (args.size() != count)
      return Malformed(std::string(kind) + " needs " + std::to_string(count) + " arguments");
    return Status::OK();
  };
  Result<ExpressionPtr> built = Malformed("unknown kind \"" + std::string(kind) + "\"");
  if (kind == "column") {
    int64_t index;
    if (json["index"].get(index) != simdjson::SUCCESS) return Malformed("column without index");
    built = MakeColumnRef(static_cast<int>(index), type, position);
  } else if (kind == "literal") {
    element value;
    if (json["value"].get(value) != simdjson::SUCCESS) return Malformed("literal without value");
    ASSIGN_OR_RETURN(Value literal, ReadLiteral(value, type));
    built = MakeLiteral(std::move(literal), position);
  } else if (kind == "call") {
    std::string_view name;
    if (json["name"].get(name) != simdjson::SUCCESS) return Malformed("call without name");
    return ReadCall(name, std::move(args), type, position);
  } else if (kind == "cast") {
    RETURN_NOT_OK(want_args(1));
    built = ExpressionPtr(std::make_unique<CastExpression>(std::move(args[0]), type, position));
  } else if (kind == "case") {
    bool has_else = flag("has_else");
    if (args.size() < 2 || (args.size() - (has_else ? 1 : 0)) % 2 != 0)
      return Malformed("case arguments");
    built =
        ExpressionPtr(std::make_unique<CaseExpression>(std::move(args), has_else, type, position));
  } else if (kind == "and" || kind == "or") {
    if (args.empty()) return Malformed("empty conjunction");
    ExpressionKind conjunction = kind == "and" ? ExpressionKind::kAnd : ExpressionKind::kOr;
    built = ExpressionPtr(
        std::make_unique<ConjunctionExpression>(conjunction, std::move(args), position));
  } else if (kind == "not") {
    RETURN_NOT_OK(want_args(1));
    built = MakeNot(std::move(args[0]), position);
  } else if (kind == "is_null") {
    RETURN_NOT_OK(want_args(1));
    built = MakeIsNull(std::move(args[0]), flag("negated"), position);
  } else if (kind == "in") {
    if (args.size() < 2) return Malformed("IN without items");
    ExpressionPtr operand = std::move(args[0]);
    args.erase(args.begin());
    built = MakeInList(std::move(operand), std::move(args), flag("negated"), position);
  } else if (kind == "like") {
    RETURN_NOT_OK(want_args(2));
    std::string_view escape;
    if (json["escape"].get(escape) != simdjson::SUCCESS || escape.size() != 1) {
      return Malformed("like without a one-character escape");
    }
    built = MakeLike(std::move(args[0]), std::move(args[1]), flag("negated"), position, escape[0]);
  } else if (kind == "coalesce") {
    if (args.empty()) return Malformed("empty coalesce");
    built = ExpressionPtr(std::make_unique<CoalesceExpression>(std::move(args), type, position));
  } else if (kind == "nullif") {
    RETURN_NOT_OK(want_args(2));
    built = ExpressionPtr(
        std::make_unique<NullIfExpression>(std::move(args[0]), std::move(args[1]), position));
  } else if (kind == "field") {
    RETURN_NOT_OK(want_args(1));
    int64_t field;
    if (json["field"].get(field) != simdjson::SUCCESS) return Malformed("field without index");
    built = MakeStructField(std::move(args[0]), static_cast<int>(field), position);
  } else if (kind == "map_get") {
    RETURN_NOT_OK(want_args(2));
    built = MakeMapAccess(std::move(args[0]), std::move(args[1]), position);
  } else if (kind == "subscript") {
    RETURN_NOT_OK(want_args(2));
    built = MakeArraySubscript(std::move(args[0]), std::move(args[1]), position);
  }
  if (!built.ok()) {
    return built.status().category() == ErrorCategory::kInternal ? built.status()
                                                                 : Mismatch(built.status());
  }
  return built;
}

Result<ExpressionPtr> Read(element json) {
  std::string_view kind, type_text;
  int64_t position = -1;
  if (json["kind"].get(kind) != simdjson::SUCCESS) return Malformed("missing \"kind\"");
  if (json["type"].get(type_text) != simdjson::SUCCESS) return Malformed("missing \"type\"");
  if (json["pos"].get(position) != simdjson::SUCCESS) return Malformed("missing \"pos\"");
  Result<DataType> type = ParseTypeString(type_text);
  if (!type.ok()) return Malformed("bad type \"" + std::string(type_text) + "\"");
  std::vector<ExpressionPtr> args;
  simdjson::dom::array children;
  if (json["args"].get(children) == simdjson::SUCCESS) {
    for (element child : children) {
      ASSIGN_OR_RETURN(ExpressionPtr arg, Read(child));
      args.push_back(std::move(arg));
    }
  }
  ASSIGN_OR_RETURN(ExpressionPtr expr, Build(kind, json, *type, position, std::move(args)));
  if (expr->type() != *type) {
    return Status::Internal("expression in plan rebuilt as " + expr->type().ToString() +
                            " instead of " + type->ToString() + ": " + expr->ToString());
  }
  return expr;
}

}  // namespace

void ExpressionToJson(const Expression& expr, std::string& out) {
  JsonWriter writer;
  Write(writer, expr);
  out += writer.str();
}

Result<ExpressionPtr> ExpressionFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  // The parser copies into its own padded buffer (realloc_if_needed).
  if (auto error = parser.parse(json.data(), json.size(), true).get(root); error) {
    return Malformed(simdjson::error_message(error));
  }
  return Read(root);
}

}  // namespace sluice
