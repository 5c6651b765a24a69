#pragma once
// The text of EXPLAIN's rows, one operator at a time: what a source reads and how its watermark
// moves, an aggregate's keys and calls, a join's condition and window, a projection's columns, a
// sink's target. Expressions name their input columns (`Names`, by the plan's column index)
// instead of the plan's "#n".

#include <memory>
#include <string>
#include <vector>

#include "runtime/plan/physical_plan.h"

namespace sluice {
class PhysicalAggregate;
class PhysicalJoin;
}  // namespace sluice

namespace sluice::explain {

using Names = std::vector<std::string>;

Names NamesOf(const Schema& schema);

// The expression's text with its input columns named: Expression::ToString writes column n as
// "#n"; outside quoted literals each "#n" becomes names[n].
std::string Named(const Expression& expression, const Names* names);

// A duration as SQL writes it: "1 MINUTE", "1500 MILLISECOND".
std::string DurationSql(int64_t ms);

// The expressions' texts, comma-separated.
std::string Joined(const std::vector<std::unique_ptr<Expression>>& expressions, const Names& names);

std::string SourceDetails(const SourceSpec& source);

// The aggregate's output columns: the window's and the keys' by name, each call by its text (the
// planner names them agg_0, agg_1, ...).
Names AggregateOutputNames(const PhysicalAggregate& aggregate, const Names& input);
std::string AggregateDetails(const PhysicalAggregate& aggregate, const Names& input);
std::string JoinDetails(const PhysicalJoin& join, const Names& left, const Names& right);
std::string ProjectDetails(const PhysicalProject& project, const Names& input);
std::string SinkDetails(const SinkSpec& sink);

// A join's side columns as "relation.column" (its last name part), or "left.column" and
// "right.column" when both sides read one relation.
Names Qualified(const PhysicalPlan& plan, const Names& names, bool right);

}  // namespace sluice::explain
