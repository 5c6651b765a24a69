#pragma once
// Helpers for the ChangelogAggregateOperator tests: changelog batches built by hand (id -> owner,
// balance; a tombstone without an owner) and a GROUP BY owner plan over them.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/batch.h"
#include "runtime/expression/expression_factory.h"
#include "runtime/plan/physical_aggregate.h"

namespace sluice {

inline Schema InputSchema() {
  Schema schema;
  schema.Add(Field{"id", DataType::Varchar()});
  schema.Add(Field{"owner", DataType::Varchar()});
  schema.Add(Field{"balance", DataType::Bigint()});
  return schema;
}

struct Change {
  std::string id;
  std::optional<std::string> owner;  // nullopt: a tombstone for `id`
  int64_t balance = 0;
};

inline RecordBatch MakeInput(const std::vector<Change>& changes) {
  RecordBatch batch(InputSchema());
  int64_t offset = 0;
  for (const Change& change : changes) {
    batch.column(0).AppendString(change.id);
    if (change.owner) {
      batch.column(1).AppendString(*change.owner);
      batch.column(2).AppendInt64(change.balance);
    } else {
      batch.column(1).AppendNull();
      batch.column(2).AppendNull();
    }
    batch.meta().push_back(
        RecordMeta{offset, 0, offset, change.owner ? RowKind::kUpsert : RowKind::kDelete});
    ++offset;
    batch.keys().emplace_back();
  }
  return batch;
}

inline AggregateCall Call(AggregateFunction function, bool distinct = false) {
  AggregateCall call;
  call.function = function;
  call.distinct = distinct;
  if (function != AggregateFunction::kCountStar) {
    call.argument = MakeColumnRef(2, DataType::Bigint());
  }
  call.type = DataType::Bigint();
  return call;
}

// GROUP BY owner: COUNT(*), SUM(balance), MAX(balance), COUNT(DISTINCT balance), keyed by id.
inline std::unique_ptr<PhysicalAggregate> MakePlan() {
  auto plan = std::make_unique<PhysicalAggregate>();
  plan->keys.push_back(MakeColumnRef(1, DataType::Varchar()));
  plan->aggregates.push_back(Call(AggregateFunction::kCountStar));
  plan->aggregates.push_back(Call(AggregateFunction::kSum));
  plan->aggregates.push_back(Call(AggregateFunction::kMax));
  plan->aggregates.push_back(Call(AggregateFunction::kCount, /*distinct=*/true));
  for (const char* name : {"owner", "n", "total", "high", "kinds"}) {
    plan->schema.Add(
        Field{name, std::string(name) == "owner" ? DataType::Varchar() : DataType::Bigint()});
  }
  plan->emit_changes = true;
  plan->changelog_key = {0};
  return plan;
}

// A fresh directory for a test's state store.
inline std::string TestDir(const std::string& name) {
  const std::string dir =
      ::testing::TempDir() + "/changelog_aggregate_" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace sluice
