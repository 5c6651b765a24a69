#include "runtime/expression/expression_node.h"

namespace sluice {

const Value* Expression::literal() const {
  return kind_ == ExpressionKind::kLiteral ? &As<LiteralExpression>().value() : nullptr;
}

std::vector<ExpressionPtr> Expression::CloneChildren() const {
  std::vector<ExpressionPtr> copies;
  copies.reserve(children_.size());
  for (const ExpressionPtr& child : children_) copies.push_back(child->Clone());
  return copies;
}

namespace {

std::vector<ExpressionPtr> Children(ExpressionPtr a, ExpressionPtr b = nullptr) {
  std::vector<ExpressionPtr> children;
  children.push_back(std::move(a));
  if (b) children.push_back(std::move(b));
  return children;
}

void AppendJoined(const std::vector<ExpressionPtr>& children, size_t from, std::string& out) {
  for (size_t child_idx = from; child_idx < children.size(); ++child_idx) {
    if (child_idx > from) out += ", ";
    out += children[child_idx]->ToString();
  }
}

}  // namespace

LiteralExpression::LiteralExpression(Value value, int64_t position)
    : Expression(kKind, value.type(), position, {}), value_(std::move(value)), cell_(value_.type()) {
  if (!value_.is_null() && value_.type().physical() == PhysicalKind::kString) {
    // The cell's bytes live in a shared arena so broadcast copies can keep them alive.
    auto arena = std::make_shared<StringArena>();
    std::string_view bytes = arena->Add(value_.string_value());
    cell_.AddArena(std::move(arena));
    cell_.AppendStringView(bytes);
  } else {
    cell_.AppendValue(value_);
  }
}

CastExpression::CastExpression(ExpressionPtr operand, DataType target, int64_t position)
    : Expression(kKind, std::move(target), position, Children(std::move(operand))) {}

NotExpression::NotExpression(ExpressionPtr operand, int64_t position)
    : Expression(kKind, DataType::Boolean(), position, Children(std::move(operand))) {}

IsNullExpression::IsNullExpression(ExpressionPtr operand, bool negated, int64_t position)
    : Expression(kKind, DataType::Boolean(), position, Children(std::move(operand))),
      negated_(negated) {}

LikeExpression::LikeExpression(ExpressionPtr operand, ExpressionPtr pattern, bool negated,
                               char escape, std::shared_ptr<const LikeMatcher> matcher,
                               int64_t position)
    : Expression(kKind, DataType::Boolean(), position,
                 Children(std::move(operand), std::move(pattern))),
      negated_(negated),
      escape_(escape),
      matcher_(std::move(matcher)) {}

// The nodes below take their type from a child they also move into children: braces make the
// type read happen first (list-initialization evaluates left to right; a parenthesized argument
// list does not, and GCC moves the child out before reading its type).
NullIfExpression::NullIfExpression(ExpressionPtr value, ExpressionPtr equal, int64_t position)
    : Expression{kKind, value->type(), position, Children(std::move(value), std::move(equal))} {}

StructFieldExpression::StructFieldExpression(ExpressionPtr operand, int field_index,
                                             int64_t position)
    : Expression{kKind, operand->type().children()[static_cast<size_t>(field_index)], position,
                 Children(std::move(operand))},
      field_index_(field_index) {}

MapAccessExpression::MapAccessExpression(ExpressionPtr map, ExpressionPtr key, int64_t position)
    : Expression{kKind, map->type().children()[0], position,
                 Children(std::move(map), std::move(key))} {}

ArraySubscriptExpression::ArraySubscriptExpression(ExpressionPtr array, ExpressionPtr index,
                                                   int64_t position)
    : Expression{kKind, array->type().children()[0], position,
                 Children(std::move(array), std::move(index))} {}

ExpressionPtr ColumnRefExpression::Clone() const {
  return std::make_unique<ColumnRefExpression>(index_, type(), position());
}

ExpressionPtr LiteralExpression::Clone() const {
  return std::make_unique<LiteralExpression>(value_, position());
}

ExpressionPtr FunctionCallExpression::Clone() const {
  return std::make_unique<FunctionCallExpression>(*function_, overload_index_, state_, type(),
                                                  CloneChildren(), position());
}

ExpressionPtr CastExpression::Clone() const {
  return std::make_unique<CastExpression>(child(0).Clone(), type(), position());
}

ExpressionPtr CaseExpression::Clone() const {
  return std::make_unique<CaseExpression>(CloneChildren(), has_else_, type(), position());
}

ExpressionPtr ConjunctionExpression::Clone() const {
  return std::make_unique<ConjunctionExpression>(kind(), CloneChildren(), position());
}

ExpressionPtr NotExpression::Clone() const {
  return std::make_unique<NotExpression>(child(0).Clone(), position());
}

ExpressionPtr IsNullExpression::Clone() const {
  return std::make_unique<IsNullExpression>(child(0).Clone(), negated_, position());
}

ExpressionPtr InListExpression::Clone() const {
  return std::make_unique<InListExpression>(CloneChildren(), negated_, set_, position());
}

ExpressionPtr LikeExpression::Clone() const {
  return std::make_unique<LikeExpression>(child(0).Clone(), child(1).Clone(), negated_, escape_,
                                          matcher_, position());
}

ExpressionPtr CoalesceExpression::Clone() const {
  return std::make_unique<CoalesceExpression>(CloneChildren(), type(), position());
}

ExpressionPtr NullIfExpression::Clone() const {
  return std::make_unique<NullIfExpression>(child(0).Clone(), child(1).Clone(), position());
}

ExpressionPtr StructFieldExpression::Clone() const {
  return std::make_unique<StructFieldExpression>(child(0).Clone(), field_index_, position());
}

ExpressionPtr MapAccessExpression::Clone() const {
  return std::make_unique<MapAccessExpression>(child(0).Clone(), child(1).Clone(), position());
}

ExpressionPtr ArraySubscriptExpression::Clone() const {
  return std::make_unique<ArraySubscriptExpression>(child(0).Clone(), child(1).Clone(),
                                                    position());
}

std::string Expression::ToString() const {
  std::string out;
  switch (kind_) {
    case ExpressionKind::kColumnRef:
      return "#" + std::to_string(As<ColumnRefExpression>().index());
    case ExpressionKind::kLiteral: return As<LiteralExpression>().value().ToSqlLiteral();
    case ExpressionKind::kFunctionCall: {
      const ScalarFunction& function = As<FunctionCallExpression>().function();
      if (function.is_operator && children_.size() == 2) {
        return "(" + child(0).ToString() + " " + function.name + " " + child(1).ToString() + ")";
      }
      if (function.is_operator && children_.size() == 1) {
        return "(" + function.name + child(0).ToString() + ")";
      }
      out = function.name + "(";
      AppendJoined(children_, 0, out);
      return out + ")";
    }
    case ExpressionKind::kCast:
      return "CAST(" + child(0).ToString() + " AS " + type_.ToString() + ")";
    case ExpressionKind::kCase: {
      const auto& node = As<CaseExpression>();
      out = "CASE";
      for (size_t when_idx = 0; when_idx < node.num_whens(); ++when_idx) {
        out += " WHEN " + child(2 * when_idx).ToString() + " THEN " +
               child(2 * when_idx + 1).ToString();
      }
      if (node.has_else()) out += " ELSE " + children_.back()->ToString();
      return out + " END";
    }
    case ExpressionKind::kAnd:
    case ExpressionKind::kOr: {
      const char* op = kind_ == ExpressionKind::kAnd ? " AND " : " OR ";
      out = "(";
      for (size_t child_idx = 0; child_idx < children_.size(); ++child_idx) {
        if (child_idx > 0) out += op;
        out += child(child_idx).ToString();
      }
      return out + ")";
    }
    case ExpressionKind::kNot: return "(NOT " + child(0).ToString() + ")";
    case ExpressionKind::kIsNull:
      return "(" + child(0).ToString() +
             (As<IsNullExpression>().negated() ? " IS NOT NULL)" : " IS NULL)");
    case ExpressionKind::kInList:
      out = "(" + child(0).ToString() + (As<InListExpression>().negated() ? " NOT IN (" : " IN (");
      AppendJoined(children_, 1, out);
      return out + "))";
    case ExpressionKind::kLike:
      return "(" + child(0).ToString() + (As<LikeExpression>().negated() ? " NOT LIKE " : " LIKE ") +
             child(1).ToString() + ")";
    case ExpressionKind::kCoalesce:
      out = "coalesce(";
      AppendJoined(children_, 0, out);
      return out + ")";
    case ExpressionKind::kNullIf: {
      // The second child is `a = b`; show b unless folding left something else.
      const Expression& equal = child(1);
      bool is_comparison = equal.kind() == ExpressionKind::kFunctionCall && equal.children().size() == 2;
      return "nullif(" + child(0).ToString() + ", " +
             (is_comparison ? equal.child(1).ToString() : equal.ToString()) + ")";
    }
    case ExpressionKind::kStructField: {
      const auto& node = As<StructFieldExpression>();
      return child(0).ToString() + "." +
             child(0).type().field_names()[static_cast<size_t>(node.field_index())];
    }
    case ExpressionKind::kMapAccess:
    case ExpressionKind::kArraySubscript:
      return child(0).ToString() + "[" + child(1).ToString() + "]";
  }
  return out;
}

}  // namespace sluice
