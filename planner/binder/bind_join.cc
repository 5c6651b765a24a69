// Binding of SELECT ... FROM a [INNER|LEFT|RIGHT|FULL] JOIN b [WITHIN ...] ON ...: two streams make
// an interval join (WITHIN required), a stream and a changelog a temporal join (no WITHIN; the
// changelog looked up by its primary key). ON splits into key equalities (one side's expression
// = the other's) and the rest, which the join evaluates on each candidate pair.

#include "planner/binder/bind_join.h"

#include <set>

#include "planner/binder/binder.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/join_pushdown.h"
#include "planner/binder/relation_schema.h"
#include "planner/binder/select_output.h"
#include "planner/logical/logical_join.h"
#include "runtime/expression/type_rules.h"

namespace sluice {

namespace {

// One `left expression = right expression` of ON.
struct KeyPair {
  const Expr* left;
  const Expr* right;
  int64_t position;  // of the `=`
};

// A scope holding only relation `relation_idx` of `scope`, with the same used columns and row
// functions: binding a key in it gives column indexes into that side's own batches.
BindScope SideScope(const BindScope& scope, size_t relation_idx) {
  const ScopeRelation& relation = scope.relations()[relation_idx];
  BindScope side;
  side.AddRelation(relation.alias, relation.qualified_name, relation.schema);
  side.relations()[0].used = relation.used;
  // Row functions are that side's hidden columns, after its own (as its source lays them out).
  side.relations()[0].metadata_used = relation.metadata_used;
  side.AssignBatchLayout();
  return side;
}

// A join of exactly two plain relations.
Status CheckSides(const JoinRef& join) {
  for (const FromItem* side : {join.left.get(), join.right.get()}) {
    if (side->kind == FromKind::kJoin) {
      return Status::Binder(
          "a join of more than two relations is not supported yet; write one join into a stream "
          "(CREATE STREAM ab AS SELECT ... FROM a JOIN b ...) and join that stream",
          join.join_position);
    }
    if (side->kind == FromKind::kWindow) {
      return Status::Binder(
          "a windowed FROM (TUMBLE, HOP, SESSION) cannot be joined; aggregate it into a stream "
          "first (CREATE STREAM w AS SELECT ... GROUP BY window_start, ...) and join that",
          side->position);
    }
  }
  return Status::OK();
}

// What a join SELECT without aggregation may not have (BindAggregateSelect checks its own).
Status CheckShape(const SelectStatement& select) {
  if (select.distinct) return Status::Binder("SELECT DISTINCT is not supported", select.position);
  if (!select.order_by.empty()) {
    return Status::Binder("ORDER BY is not supported on streams",
                          select.order_by[0].expr->position);
  }
  if (select.emit == EmitMode::kChanges || select.emit == EmitMode::kFinal) {
    return Status::Binder("EMIT applies only to aggregations", select.emit_position);
  }
  return Status::OK();
}

// Interval or temporal, from the relation kinds and WITHIN; errors say what to write instead.
Result<JoinStrategy> ChooseStrategy(const JoinRef& join, const JoinInput& left,
                                    const JoinInput& right) {
  if (left.changelog && right.changelog) {
    return Status::Binder("a join of two changelogs is not supported yet", join.join_position);
  }
  if (left.changelog) {
    return Status::Binder("put the stream first: " + right.alias + " JOIN " + left.alias +
                              " ON ... (a stream-changelog join reads the changelog as of each "
                              "stream row's time)",
                          join.join_position);
  }
  if (right.changelog) {
    if (join.within) {
      return Status::Binder("a join with changelog \"" + right.alias +
                                "\" is a temporal join (each stream row meets the changelog's "
                                "row as of its time) and takes no WITHIN; remove it",
                            join.within->position);
    }
    if (join.join_kind == JoinKind::kRight || join.join_kind == JoinKind::kFull) {
      return Status::Binder("a stream-changelog join is INNER or LEFT", join.join_position);
    }
    return JoinStrategy::kTemporal;
  }
  if (!join.within) {
    return Status::Binder("a join of two streams needs a time bound: write " + left.alias +
                              " JOIN " + right.alias +
                              " WITHIN 1 HOUR ON ... (rows match when "
                              "their times are at most that far apart)",
                          join.join_position);
  }
  return JoinStrategy::kInterval;
}

JoinType TypeOf(JoinKind kind) {
  switch (kind) {
    case JoinKind::kInner: return JoinType::kInner;
    case JoinKind::kLeft: return JoinType::kLeft;
    case JoinKind::kRight: return JoinType::kRight;
    case JoinKind::kFull: return JoinType::kFull;
  }
  return JoinType::kInner;
}

}  // namespace

Result<std::unique_ptr<JoinBinding>> Binder::PrepareJoin(const JoinRef& join, BindScope& scope) {
  RETURN_NOT_OK(CheckSides(join));
  auto binding = std::make_unique<JoinBinding>();
  binding->join = &join;
  JoinInput* inputs = binding->inputs;
  const FromItem* sides[2] = {join.left.get(), join.right.get()};
  for (int side_idx = 0; side_idx < 2; ++side_idx) {
    JoinInput& input = inputs[side_idx];
    input.ref = &sides[side_idx]->As<RelationRef>();
    ASSIGN_OR_RETURN(input.bound, BindRelation(input.ref->name));
    if (input.bound.relation.kind == CatalogRelationKind::kMaterializedView) {
      return Status::Binder("a materialized view cannot be joined yet", input.ref->position);
    }
    input.changelog = input.bound.relation.kind == CatalogRelationKind::kChangelog;
    input.schema = RelationColumns(input.bound.relation);
    input.alias = input.ref->alias.empty() ? input.bound.relation.name : input.ref->alias;
  }
  if (inputs[0].alias == inputs[1].alias) {
    return Status::Binder("relation \"" + inputs[0].alias +
                              "\" is on both sides of the JOIN; give one an alias (... JOIN " +
                              inputs[1].bound.relation.name + " AS other ON ...)",
                          inputs[1].ref->position);
  }
  ASSIGN_OR_RETURN(binding->strategy, ChooseStrategy(join, inputs[0], inputs[1]));
  if (join.condition == nullptr) {
    return Status::Binder("a JOIN needs ON with the columns to match", join.join_position);
  }
  for (int side_idx = 0; side_idx < 2; ++side_idx) {
    const JoinInput& input = inputs[side_idx];
    scope.AddRelation(input.alias, input.bound.qualified_name, input.schema);
  }
  return binding;
}

Result<std::unique_ptr<LogicalOperator>> Binder::BindJoinSelect(const SelectStatement& select) {
  RETURN_NOT_OK(CheckShape(select));
  BindScope scope;
  ASSIGN_OR_RETURN(std::unique_ptr<JoinBinding> binding,
                   PrepareJoin(select.from->As<JoinRef>(), scope));
  const JoinInput* inputs = binding->inputs;
  ExpressionBinder binder(scope);
  // Pass 1: select list and WHERE; FinishJoin collects ON.
  for (const SelectItem& item : select.items) {
    if (item.expr->kind != ExprKind::kStar) {
      RETURN_NOT_OK(binder.CollectColumns(*item.expr));
      continue;
    }
    const auto& star = item.expr->As<StarExpr>();
    bool found = star.qualifier.empty();
    for (size_t relation_idx = 0; relation_idx < 2; ++relation_idx) {
      if (star.qualifier.empty() || star.qualifier.back() == inputs[relation_idx].alias) {
        scope.MarkAllUsed(relation_idx);
        found = true;
      }
    }
    if (!found) {
      return Status::Binder("relation \"" + star.qualifier.back() + "\" is not in the FROM clause",
                            star.position);
    }
  }
  if (select.where) RETURN_NOT_OK(binder.CollectColumns(*select.where));
  binding->where = select.where.get();
  ASSIGN_OR_RETURN(std::unique_ptr<LogicalOperator> plan, FinishJoin(*binding, scope));

  if (binding->residual_where != nullptr) {
    ASSIGN_OR_RETURN(auto predicate, binder.BindPredicate(*binding->residual_where, "WHERE"));
    auto filter = std::make_unique<LogicalFilter>(plan->schema(), std::move(predicate));
    filter->children().push_back(std::move(plan));
    plan = std::move(filter);
  }

  SelectOutput output;
  for (const SelectItem& item : select.items) {
    if (item.expr->kind != ExprKind::kStar) {
      ASSIGN_OR_RETURN(auto expr, binder.Bind(*item.expr));
      RETURN_NOT_OK(output.AddItem(item, std::move(expr)));
      continue;
    }
    const auto& star = item.expr->As<StarExpr>();
    for (size_t relation_idx = 0; relation_idx < 2; ++relation_idx) {
      if (!star.qualifier.empty() && star.qualifier.back() != inputs[relation_idx].alias) continue;
      const Schema& schema = inputs[relation_idx].schema;
      for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
        const Field& field = schema.field(column_idx);
        // `*` over both sides: a right column named like a left one becomes alias_name.
        std::string name = field.name;
        if (star.qualifier.empty() && relation_idx == 1 && inputs[0].schema.IndexOf(name) >= 0) {
          name = inputs[1].alias + "_" + name;
        }
        ResolvedColumn column{relation_idx, column_idx, {}};
        RETURN_NOT_OK(
            output.Add(std::move(name),
                       MakeColumnRef(scope.BatchIndex(column), field.type, item.expr->position),
                       item.expr->position));
      }
    }
  }
  return output.Finish(std::move(plan), select);
}

Result<std::unique_ptr<LogicalOperator>> Binder::FinishJoin(JoinBinding& binding,
                                                            BindScope& scope) {
  const JoinRef& join = *binding.join;
  const JoinInput* inputs = binding.inputs;
  const JoinStrategy strategy = binding.strategy;
  ExpressionBinder binder(scope);
  std::vector<const Expr*> conjuncts;
  SplitConjuncts(*join.condition, conjuncts);
  const JoinType type = TypeOf(join.join_kind);
  std::vector<KeyPair> keys;
  std::vector<const Expr*> rest;
  // Conjuncts applied to one side's rows before the join: [side][0 from ON, 1 from WHERE].
  std::vector<const Expr*> pushed[2][2];
  for (const Expr* conjunct : conjuncts) {
    std::set<size_t> relations;
    if (conjunct->kind == ExprKind::kBinary && conjunct->As<BinaryExpr>().op == BinaryOp::kEqual) {
      const auto& equal = conjunct->As<BinaryExpr>();
      ASSIGN_OR_RETURN(std::set<size_t> lhs, ReferencedRelations(*equal.left, scope));
      ASSIGN_OR_RETURN(std::set<size_t> rhs, ReferencedRelations(*equal.right, scope));
      const std::set<size_t> only_left = {0}, only_right = {1};
      if (lhs == only_left && rhs == only_right) {
        keys.push_back({equal.left.get(), equal.right.get(), equal.position});
        continue;
      }
      if (lhs == only_right && rhs == only_left) {
        keys.push_back({equal.right.get(), equal.left.get(), equal.position});
        continue;
      }
      relations = lhs;
      relations.insert(rhs.begin(), rhs.end());
    } else {
      ASSIGN_OR_RETURN(relations, ReferencedRelations(*conjunct, scope));
    }
    if (relations.size() == 1 && CanPushBelowJoin(type, *relations.begin(), /*in_on=*/true)) {
      pushed[*relations.begin()][0].push_back(conjunct);
      continue;
    }
    rest.push_back(conjunct);
  }
  if (keys.empty()) {
    return Status::Binder("ON needs an equality between the two sides (e.g. " + inputs[0].alias +
                              ".k = " + inputs[1].alias +
                              ".k): a stream join matches rows by key; other conditions may "
                              "follow with AND",
                          join.condition->position);
  }
  int timestamp_columns[2];
  for (size_t side_idx = 0; side_idx < 2; ++side_idx) {
    ASSIGN_OR_RETURN(timestamp_columns[side_idx],
                     TimestampColumn(inputs[side_idx].bound.relation, inputs[side_idx].schema));
    if (timestamp_columns[side_idx] >= 0) {
      scope.relations()[side_idx].used[static_cast<size_t>(timestamp_columns[side_idx])] = true;
    }
  }
  scope.AssignBatchLayout();

  // WHERE: bound whole first, so that its errors read as they do without a join; then the
  // conjuncts that may run below the join go there and the rest stays above it.
  binding.residual_where = binding.where;
  if (binding.where != nullptr) {
    RETURN_NOT_OK(binder.BindPredicate(*binding.where, "WHERE").status());
    std::vector<const Expr*> where_conjuncts, residual;
    SplitConjuncts(*binding.where, where_conjuncts);
    for (const Expr* conjunct : where_conjuncts) {
      ASSIGN_OR_RETURN(std::set<size_t> relations, ReferencedRelations(*conjunct, scope));
      if (relations.size() == 1 && CanPushBelowJoin(type, *relations.begin(), /*in_on=*/false)) {
        pushed[*relations.begin()][1].push_back(conjunct);
      } else {
        residual.push_back(conjunct);
      }
    }
    if (residual.size() != where_conjuncts.size()) {
      binding.residual_storage = Conjoin(residual);
      binding.residual_where = binding.residual_storage.get();
    }
  }

  auto join_node = std::make_unique<LogicalJoin>(scope.BatchSchema());
  join_node->strategy = strategy;
  join_node->type = type;
  if (join.within) {
    join_node->before_ms = join.within->before.millis;
    join_node->after_ms = join.within->after.millis;
    if (join_node->before_ms < 0 || join_node->after_ms < 0) {
      return Status::Binder("WITHIN bounds must not be negative", join.within->position);
    }
  }
  BindScope side_scopes[2] = {SideScope(scope, 0), SideScope(scope, 1)};
  ExpressionBinder left_binder(side_scopes[0]);
  ExpressionBinder right_binder(side_scopes[1]);
  std::set<int> right_key_columns;
  for (const KeyPair& pair : keys) {
    ASSIGN_OR_RETURN(auto left_key, left_binder.Bind(*pair.left));
    ASSIGN_OR_RETURN(auto right_key, right_binder.Bind(*pair.right));
    if (left_key->type() != right_key->type()) {
      std::optional<DataType> common = CommonSuperType(left_key->type(), right_key->type());
      if (!common) {
        return Status::Binder("join keys " + ToSql(*pair.left) + " (" +
                                  left_key->type().ToString() + ") and " + ToSql(*pair.right) +
                                  " (" + right_key->type().ToString() +
                                  ") have incompatible types; CAST one to the other's type",
                              pair.position);
      }
      ASSIGN_OR_RETURN(left_key, MakeCast(std::move(left_key), *common, pair.position));
      ASSIGN_OR_RETURN(right_key, MakeCast(std::move(right_key), *common, pair.position));
    }
    if (pair.right->kind == ExprKind::kColumnRef) {
      ASSIGN_OR_RETURN(ResolvedColumn column,
                       scope.Resolve(pair.right->As<ColumnRefExpr>().parts, pair.right->position));
      if (column.fields.empty()) right_key_columns.insert(static_cast<int>(column.column_idx));
    }
    join_node->left_keys.push_back(std::move(left_key));
    join_node->right_keys.push_back(std::move(right_key));
  }
  if (strategy == JoinStrategy::kTemporal) {
    const JoinInput& changelog = inputs[1];
    ASSIGN_OR_RETURN(std::vector<int> primary_key,
                     RelationKeyColumns(changelog.bound.relation, changelog.schema));
    if (std::set<int>(primary_key.begin(), primary_key.end()) != right_key_columns ||
        right_key_columns.size() != keys.size()) {
      std::string names;
      for (const std::string& name : changelog.bound.relation.primary_key) {
        names += (names.empty() ? "" : ", ") + changelog.alias + "." + name;
      }
      return Status::Binder(
          "a stream-changelog join looks the changelog up by its primary key: "
          "ON must equate " +
              names + " (and nothing else of it) with the stream's columns",
          join.condition->position);
    }
    join_node->right_key_columns = primary_key;
  }
  if (!rest.empty()) {
    ASSIGN_OR_RETURN(join_node->condition, binder.BindPredicate(*Conjoin(rest), "ON"));
  }
  ExpressionBinder* side_binders[2] = {&left_binder, &right_binder};
  for (size_t side_idx = 0; side_idx < 2; ++side_idx) {
    std::vector<ExpressionPtr> parts;
    for (int clause = 0; clause < 2; ++clause) {
      if (pushed[side_idx][clause].empty()) continue;
      ASSIGN_OR_RETURN(auto part,
                       side_binders[side_idx]->BindPredicate(*Conjoin(pushed[side_idx][clause]),
                                                             clause == 0 ? "ON" : "WHERE"));
      parts.push_back(std::move(part));
    }
    if (parts.size() == 1) join_node->filters[side_idx] = std::move(parts[0]);
    if (parts.size() == 2) {
      const int64_t position = parts[0]->position();
      join_node->filters[side_idx] =
          std::make_unique<ConjunctionExpression>(ExpressionKind::kAnd, std::move(parts), position);
    }
  }
  for (size_t side_idx = 0; side_idx < 2; ++side_idx) {
    const JoinInput& input = inputs[side_idx];
    ASSIGN_OR_RETURN(auto get,
                     MakeGet(input.bound, scope, input.schema, timestamp_columns[side_idx],
                             input.ref->properties, side_idx));
    ASSIGN_OR_RETURN(join_node->allow_latency_ms[side_idx],
                     MillisProperty(get->properties, "source.allow.latency.millis"));
    ASSIGN_OR_RETURN(join_node->idle_timeout_ms[side_idx],
                     MillisProperty(get->properties, "source.idle.timeout.millis"));
    join_node->children().push_back(std::move(get));
  }
  return std::unique_ptr<LogicalOperator>(std::move(join_node));
}

}  // namespace sluice
