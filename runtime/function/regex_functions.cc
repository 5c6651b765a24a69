// Regular expression functions (RE2 syntax): REGEXP_LIKE, REGEXP_EXTRACT, REGEXP_REPLACE. A
// literal pattern is compiled once at bind time, so a bad one is a BINDER error pointing at it;
// a pattern that arrives as data goes through the EvalContext's RegexCache and a bad one fails
// the row with an EXECUTION error. RE2 guarantees linear-time matching, so no pattern in the data
// can stall a pipeline.

#include <re2/re2.h>

#include "runtime/expression/evaluate.h"
#include "runtime/expression/evaluate_internal.h"
#include "runtime/expression/expression_node.h"
#include "runtime/function/function_registry.h"
#include "runtime/function/kernel_util.h"
#include "runtime/function/regex_cache.h"

namespace sluice {

namespace {

// The pattern compiled at bind time (argument 1 was a non-NULL literal).
class RegexState final : public FunctionState {
 public:
  RegexState(std::shared_ptr<const RE2> regex, bool rewrite_checked)
      : regex_(std::move(regex)), rewrite_checked_(rewrite_checked) {}
  const RE2& regex() const { return *regex_; }
  // REGEXP_REPLACE's replacement was a literal and is valid for this pattern.
  bool rewrite_checked() const { return rewrite_checked_; }

 private:
  std::shared_ptr<const RE2> regex_;
  bool rewrite_checked_;
};

int64_t ArgPosition(const Expression& arg, int64_t fallback) {
  return arg.position() >= 0 ? arg.position() : fallback;
}

Result<std::shared_ptr<const FunctionState>> PrepareRegex(
    std::span<const std::unique_ptr<Expression>> args, int64_t position) {
  const Value* pattern = args[1]->literal();
  if (pattern == nullptr || pattern->is_null()) return std::shared_ptr<const FunctionState>();
  Result<std::shared_ptr<const RE2>> regex = CompileRegex(pattern->string_value());
  if (!regex.ok()) return Status::Binder(regex.status().message(), ArgPosition(*args[1], position));
  // Literal group numbers and rewrite strings are checked against the pattern now too.
  if (args.size() > 2 && args[2]->type().is_integral()) {
    const Value* group = args[2]->literal();
    int groups = (*regex)->NumberOfCapturingGroups();
    if (group != nullptr && !group->is_null() &&
        (group->int_value() < 0 || group->int_value() > groups)) {
      return Status::Binder("regexp_extract: group " + std::to_string(group->int_value()) +
                                " does not exist; the pattern has " + std::to_string(groups) +
                                (groups == 1 ? " group" : " groups"),
                            ArgPosition(*args[2], position));
    }
  }
  bool rewrite_checked = false;
  if (args.size() > 2 && args[2]->type().is_string()) {
    const Value* rewrite = args[2]->literal();
    std::string error;
    if (rewrite != nullptr && !rewrite->is_null()) {
      if (!(*regex)->CheckRewriteString(rewrite->string_value(), &error)) {
        return Status::Binder(
            "regexp_replace: invalid replacement '" + rewrite->string_value() + "': " + error,
            ArgPosition(*args[2], position));
      }
      rewrite_checked = true;
    }
  }
  return std::shared_ptr<const FunctionState>(
      std::make_shared<RegexState>(std::move(regex).value(), rewrite_checked));
}

// Finds the regex for each row: the prepared one, or the cache's. Remembers the last pattern so
// a column holding one pattern repeatedly costs a string compare per row, not a hash lookup.
class RowRegex {
 public:
  explicit RowRegex(const KernelArgs& args)
      : args_(args),
        prepared_(args.state != nullptr ? &static_cast<const RegexState*>(args.state)->regex()
                                        : nullptr) {}

  Result<const RE2*> For(size_t row) {
    if (prepared_ != nullptr) return prepared_;
    std::string_view pattern = args_.args[1].String(row);
    if (last_ != nullptr && pattern == last_pattern_) return last_;
    Result<const RE2*> regex = args_.context.regex_cache().Get(pattern);
    if (!regex.ok()) {
      return args_.Error(row, std::string(args_.function_name) + ": " + regex.status().message());
    }
    last_pattern_ = pattern;
    last_ = *regex;
    return last_;
  }

 private:
  const KernelArgs& args_;
  const RE2* prepared_;
  std::string_view last_pattern_;
  const RE2* last_ = nullptr;
};

re2::StringPiece Piece(std::string_view text) { return re2::StringPiece(text.data(), text.size()); }

Status RegexpLikeKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  RowRegex regexes(args);
  int64_t* values = out.ints().data();
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    ASSIGN_OR_RETURN(const RE2* regex, regexes.For(row));
    values[row] = RE2::PartialMatch(Piece(input.String(row)), *regex) ? 1 : 0;
  }
  return Status::OK();
}

Status RegexpExtractKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  RowRegex regexes(args);
  std::vector<re2::StringPiece> groups;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    ASSIGN_OR_RETURN(const RE2* regex, regexes.For(row));
    int64_t group = args.args.size() > 2 ? args.args[2].Int(row) : 0;
    int num_groups = regex->NumberOfCapturingGroups();
    if (group < 0 || group > num_groups) {
      return args.Error(row, "regexp_extract: group " + std::to_string(group) +
                                 " does not exist; the pattern has " + std::to_string(num_groups) +
                                 (num_groups == 1 ? " group" : " groups"));
    }
    std::string_view text = input.String(row);
    groups.assign(static_cast<size_t>(group) + 1, re2::StringPiece());
    if (!regex->Match(Piece(text), 0, text.size(), RE2::UNANCHORED, groups.data(),
                      static_cast<int>(groups.size()))) {
      out.valid()[row] = 0;  // no match: NULL
      continue;
    }
    const re2::StringPiece& match = groups[static_cast<size_t>(group)];
    if (match.data() == nullptr) {
      out.valid()[row] = 0;  // the group did not take part in the match: (a)|b on "b"
      continue;
    }
    // The match is a slice of the input: share its bytes rather than copy them.
    out.strings()[row] = std::string_view(match.data(), match.size());
  }
  ShareStringArenas(input.column(), out);
  return Status::OK();
}

Status RegexpReplaceKernel(const KernelArgs& args, Column& out) {
  const Vector& input = args.args[0];
  const Vector& rewrites = args.args[2];
  RowRegex regexes(args);
  bool rewrite_checked =
      args.state != nullptr && static_cast<const RegexState*>(args.state)->rewrite_checked();
  std::string buffer;
  for (size_t row = 0; row < args.num_rows; ++row) {
    if (!out.valid()[row]) continue;
    ASSIGN_OR_RETURN(const RE2* regex, regexes.For(row));
    std::string_view rewrite = rewrites.String(row);
    if (!rewrite_checked) {
      std::string error;
      if (!regex->CheckRewriteString(Piece(rewrite), &error)) {
        return args.Error(
            row, "regexp_replace: invalid replacement '" + std::string(rewrite) + "': " + error);
      }
    }
    buffer.assign(input.String(row));
    RE2::GlobalReplace(&buffer, *regex, Piece(rewrite));
    SetString(out, row, buffer);
  }
  return Status::OK();
}

// Every regex function compiles a literal pattern once, at bind time.
ScalarFunction RegexFunction(std::string name, int min_args, int max_args, std::string description,
                             std::vector<FunctionOverload> overloads) {
  ScalarFunction function = MakeFunction(std::move(name), min_args, max_args,
                                         std::move(description), std::move(overloads));
  function.prepare = PrepareRegex;
  return function;
}

}  // namespace

void RegisterRegexFunctions(FunctionRegistry& registry) {
  DataType text = DataType::Varchar(), bigint = DataType::Bigint();
  registry.Add(RegexFunction("regexp_like", 2, 2, "whether a regular expression matches part of text",
                        {{{text, text}, false, DataType::Boolean(), nullptr, RegexpLikeKernel}}),
               {"rlike", "regexp_matches"});
  registry.Add(RegexFunction("regexp_extract", 2, 3,
                        "the first match of a regular expression (or its n-th group), NULL if none",
                        {{{text, text}, false, text, nullptr, RegexpExtractKernel},
                         {{text, text, bigint}, false, text, nullptr, RegexpExtractKernel}}));
  registry.Add(RegexFunction("regexp_replace", 3, 3,
                        "replaces every match of a regular expression (\\1 names a group)",
                        {{{text, text, text}, false, text, nullptr, RegexpReplaceKernel}}));
}

}  // namespace sluice
