#pragma once
// The logical plan: what a SELECT computes, as a tree of relational operators over bound, typed
// expressions, before any decision about how it runs. The physical planner lowers it to a
// PhysicalPlan (runtime/plan/physical_plan.h).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/types.h"
#include "runtime/expression/expression_node.h"
#include "runtime/plan/row_metadata.h"

namespace sluice {

enum class LogicalOperatorKind : uint8_t { kGet, kFilter, kProjection, kLimit, kAggregate, kJoin };

class LogicalOperator {
 public:
  LogicalOperator(LogicalOperatorKind kind, Schema schema)
      : kind_(kind), schema_(std::move(schema)) {}
  virtual ~LogicalOperator() = default;
  LogicalOperator(const LogicalOperator&) = delete;
  LogicalOperator& operator=(const LogicalOperator&) = delete;

  LogicalOperatorKind kind() const { return kind_; }
  // The columns this operator produces.
  const Schema& schema() const { return schema_; }
  std::vector<std::unique_ptr<LogicalOperator>>& children() { return children_; }
  const std::vector<std::unique_ptr<LogicalOperator>>& children() const { return children_; }
  const LogicalOperator& child(size_t index = 0) const { return *children_[index]; }

  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    return static_cast<T&>(*this);
  }

 private:
  LogicalOperatorKind kind_;
  Schema schema_;
  std::vector<std::unique_ptr<LogicalOperator>> children_;
};

// Reads a relation from its store. Produces only the columns the query uses (`columns`, indexes
// into the relation's schema), in that order.
class LogicalGet final : public LogicalOperator {
 public:
  static constexpr LogicalOperatorKind kKind = LogicalOperatorKind::kGet;
  explicit LogicalGet(Schema schema) : LogicalOperator(kKind, std::move(schema)) {}

  std::string qualified_name;  // db.schema.name
  std::string store_type;      // local | datagen | kafka
  std::string topic;
  int32_t partitions = 1;
  Schema relation_schema;
  std::vector<int> columns;
  std::vector<RowMetadata> metadata;  // row functions called: hidden columns after `columns`
  int timestamp_column = -1;          // index into relation_schema
  // A changelog read with upsert semantics (a GROUP BY over it): tombstones become delete rows
  // carrying `key_columns` (relation columns of the primary key), as in SourceSpec.
  bool emit_deletes = false;
  std::vector<int> key_columns;
  // Relation properties overlaid with the query's FROM ... WITH (...) properties.
  std::map<std::string, std::string> properties;
  std::map<std::string, std::string> store_properties;
};

class LogicalFilter final : public LogicalOperator {
 public:
  static constexpr LogicalOperatorKind kKind = LogicalOperatorKind::kFilter;
  LogicalFilter(Schema schema, std::unique_ptr<Expression> predicate)
      : LogicalOperator(kKind, std::move(schema)), predicate(std::move(predicate)) {}
  std::unique_ptr<Expression> predicate;
};

class LogicalProjection final : public LogicalOperator {
 public:
  static constexpr LogicalOperatorKind kKind = LogicalOperatorKind::kProjection;
  LogicalProjection(Schema schema, std::vector<std::unique_ptr<Expression>> expressions)
      : LogicalOperator(kKind, std::move(schema)), expressions(std::move(expressions)) {}
  std::vector<std::unique_ptr<Expression>> expressions;
};

class LogicalLimit final : public LogicalOperator {
 public:
  static constexpr LogicalOperatorKind kKind = LogicalOperatorKind::kLimit;
  LogicalLimit(Schema schema, int64_t limit)
      : LogicalOperator(kKind, std::move(schema)), limit(limit) {}
  int64_t limit;
};

}  // namespace sluice
