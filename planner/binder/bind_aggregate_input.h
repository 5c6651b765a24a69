#pragma once
// The FROM of an aggregating SELECT while it is being bound (bind_aggregate_input.cc): one
// relation, or a JOIN of two whose output the aggregate reads. A non-windowed GROUP BY over a
// changelog (or a materialized view with a key) reads it with upsert semantics: its tombstones
// are decoded as deletes and the aggregate learns the key columns, so that a key's new row
// retracts its previous one.

#include <memory>
#include <string>
#include <vector>

#include "planner/binder/bind_join.h"
#include "planner/binder/binder.h"

namespace sluice {

struct AggregateInput {
  std::unique_ptr<JoinBinding> join;  // set when the FROM is a join
  const RelationRef* ref = nullptr;   // otherwise the relation
  BoundRelation bound;
  Schema relation_schema;
  // Read as a changelog (upserts and deletes by key), with these key columns of the relation.
  bool changelog = false;
  std::vector<int> key_columns;
};

}  // namespace sluice
