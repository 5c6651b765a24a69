// JSON functions on VARCHAR documents: JSON_VALUE (a scalar as text) and JSON_QUERY (any value as
// JSON text), addressed by a SQL/JSON path such as '$.items[0].name' or '$["odd key"]'. As in the
// SQL standard's default NULL ON ERROR, a missing path or a malformed document gives NULL rather
// than failing the query: JSON in a stream is data, and one bad record must not stop a pipeline.
// A malformed path is an error (BINDER for a literal, EXECUTION for a path from the data).

#include <simdjson.h>

#include <optional>
#include <variant>

#include "common/value.h"
#include "runtime/expression/expression_node.h"
#include "runtime/function/function_registry.h"
#include "runtime/function/kernel_util.h"

namespace sluice {

namespace {

// A compiled path: member names and array indexes from the root.
class JsonPath {
 public:
  using Step = std::variant<std::string, size_t>;

  static Result<JsonPath> Compile(std::string_view text) {
    JsonPath path;
    path.text_ = std::string(text);
    size_t pos = 0;
    auto fail = [&](std::string_view what) {
      return Status::Execution("invalid JSON path '" + std::string(text) + "': " +
                               std::string(what) + " at character " + std::to_string(pos + 1));
    };
    while (pos < text.size() && text[pos] == ' ') ++pos;
    for (std::string_view mode : {"lax ", "strict "}) {  // modes change nothing here: NULL on error
      if (text.substr(pos, mode.size()) == mode) pos += mode.size();
    }
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size() || text[pos] != '$') return fail("expected '$'");
    ++pos;
    while (pos < text.size()) {
      if (text[pos] == '.') {
        size_t start = ++pos;
        while (pos < text.size() && text[pos] != '.' && text[pos] != '[') ++pos;
        if (pos == start) return fail("expected a member name");
        std::string_view name = text.substr(start, pos - start);
        if (name == "*") return fail("wildcards are not supported");
        path.steps_.emplace_back(std::string(name));
      } else if (text[pos] == '[') {
        ++pos;
        if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
          char quote = text[pos++];
          size_t end = text.find(quote, pos);
          if (end == std::string_view::npos) return fail("unterminated quoted member name");
          path.steps_.emplace_back(std::string(text.substr(pos, end - pos)));
          pos = end + 1;
        } else {
          size_t start = pos;
          size_t index = 0;
          while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 9) {
            index = index * 10 + static_cast<size_t>(text[pos++] - '0');
          }
          if (pos == start) return fail("expected an array index");
          path.steps_.emplace_back(index);
        }
        if (pos >= text.size() || text[pos] != ']') return fail("expected ']'");
        ++pos;
      } else {
        return fail("expected '.' or '['");
      }
    }
    return path;
  }

  const std::string& text() const { return text_; }

  // The addressed element, or nullopt when a step is missing or the document is malformed.
  std::optional<simdjson::dom::element> Find(simdjson::dom::parser& parser,
                                             std::string_view json) const {
    simdjson::dom::element element;
    if (parser.parse(json.data(), json.size(), true).get(element) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    for (const Step& step : steps_) {
      simdjson::error_code error;
      if (const std::string* name = std::get_if<std::string>(&step)) {
        simdjson::dom::object object;
        if (element.get(object) != simdjson::SUCCESS) return std::nullopt;
        error = object.at_key(*name).get(element);
      } else {
        simdjson::dom::array array;
        if (element.get(array) != simdjson::SUCCESS) return std::nullopt;
        error = array.at(std::get<size_t>(step)).get(element);
      }
      if (error != simdjson::SUCCESS) return std::nullopt;
    }
    return element;
  }

 private:
  std::string text_;
  std::vector<Step> steps_;
};

class JsonPathState final : public FunctionState {
 public:
  explicit JsonPathState(JsonPath path) : path_(std::move(path)) {}
  const JsonPath& path() const { return path_; }

 private:
  JsonPath path_;
};

Result<std::shared_ptr<const FunctionState>> PrepareJsonPath(
    std::span<const std::unique_ptr<Expression>> args, int64_t position) {
  const Value* path = args[1]->literal();
  if (path == nullptr || path->is_null()) return std::shared_ptr<const FunctionState>();
  Result<JsonPath> compiled = JsonPath::Compile(path->string_value());
  if (!compiled.ok()) {
    return Status::Binder(compiled.status().message(),
                          args[1]->position() >= 0 ? args[1]->position() : position);
  }
  return std::shared_ptr<const FunctionState>(
      std::make_shared<JsonPathState>(std::move(compiled).value()));
}

// Writes a scalar's text (strings unquoted); false for null, objects and arrays.
bool AppendScalarText(simdjson::dom::element element, std::string& out) {
  switch (element.type()) {
    case simdjson::dom::element_type::STRING: out.append(std::string_view(element)); return true;
    case simdjson::dom::element_type::INT64: out += std::to_string(int64_t(element)); return true;
    case simdjson::dom::element_type::UINT64: out += std::to_string(uint64_t(element)); return true;
    case simdjson::dom::element_type::DOUBLE: out += FormatDouble(double(element)); return true;
    case simdjson::dom::element_type::BOOL: out += bool(element) ? "true" : "false"; return true;
    default: return false;
  }
}

// JSON_VALUE when kScalar, else JSON_QUERY.
template <bool kScalar>
Status JsonKernel(const KernelArgs& args, Column& out) {
  const Vector& documents = args.args[0];
  const JsonPath* prepared =
      args.state != nullptr ? &static_cast<const JsonPathState*>(args.state)->path() : nullptr;
  std::optional<JsonPath> row_path;  // a path from the data, recompiled only when it changes
  simdjson::dom::parser parser;
  std::string buffer;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    const JsonPath* path = prepared;
    if (path == nullptr) {
      std::string_view text = args.args[1].String(row);
      if (!row_path || row_path->text() != text) {
        Result<JsonPath> compiled = JsonPath::Compile(text);
        if (!compiled.ok()) {
          return args.Error(row,
                            std::string(args.function_name) + ": " + compiled.status().message());
        }
        row_path = std::move(compiled).value();
      }
      path = &*row_path;
    }
    std::optional<simdjson::dom::element> element = path->Find(parser, documents.String(row));
    buffer.clear();
    bool found = element.has_value();
    if (found && kScalar) found = AppendScalarText(*element, buffer);
    if (found && !kScalar) {
      found = !element->is_null();
      if (found) buffer = simdjson::minify(*element);
    }
    if (!found) {
      out.valid()[row] = 0;
      continue;
    }
    SetString(out, row, buffer);
  }
  return Status::OK();
}

ScalarFunction JsonFunction(std::string name, std::string description, ScalarKernel kernel) {
  DataType text = DataType::Varchar();
  ScalarFunction function;
  function.name = std::move(name);
  function.min_args = 2;
  function.max_args = 2;
  function.description = std::move(description);
  function.overloads = {{{text, text}, false, text, nullptr, kernel}};
  function.prepare = PrepareJsonPath;
  return function;
}

}  // namespace

void RegisterJsonFunctions(FunctionRegistry& registry) {
  registry.Add(JsonFunction("json_value",
                            "the scalar at a JSON path ('$.a.b[0]') as text; NULL when missing",
                            JsonKernel<true>));
  registry.Add(JsonFunction(
      "json_query", "the value at a JSON path as JSON text; NULL when missing", JsonKernel<false>));
}

}  // namespace sluice
