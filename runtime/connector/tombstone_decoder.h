#pragma once
// Turns a changelog tombstone (a record key with no value) into a row: RowKind::kDelete, the key
// columns decoded from the record key as sinks write it (one column: its text; several: a JSON
// object {"0": v0, "1": v1, ...}), every other column NULL. Used by sources whose spec asks for
// deletes (the changelog side of a temporal join); a plain stream read skips tombstones.

#include <memory>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/json_codec.h"
#include "common/status.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

class TombstoneDecoder {
 public:
  // REQUIRES: spec.emit_deletes and spec.key_columns are relation column indexes.
  explicit TombstoneDecoder(const SourceSpec& spec);
  ~TombstoneDecoder();

  // Appends the delete row for `key` to `batch` (the source's batch: spec.columns in order),
  // meta included. An unparseable key is an EXECUTION error for the source's bad-record policy.
  Status AppendDelete(std::string_view key, const RecordMeta& meta, RecordBatch& batch);

 private:
  std::vector<int> key_batch_columns_;  // per key column: where it sits in the batch, or -1
  std::vector<DataType> key_types_;
  std::unique_ptr<JsonRecordDecoder> decoder_;  // over {"0": k0, "1": k1, ...}
  RecordBatch scratch_;
  std::string json_;
};

}  // namespace sluice
