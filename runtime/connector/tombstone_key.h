#pragma once
// Turns a changelog tombstone (a record key with no value) into a delete row: the key columns
// decoded from the record key, every other column NULL. Sources produce these only for queries
// that apply deletes by key (a materialized view projecting a changelog); for every other query
// a tombstone carries no row.
//
// Enabled by the source property "source.tombstone.key": the relation's record key columns,
// comma separated, in key order (how sinks encode keys: one column as its text, several as a
// JSON object by position, {"0":...,"1":...}; see EncodeRecordKey).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_codec.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

class TombstoneKeyDecoder {
 public:
  // Null when the spec does not ask for delete rows.
  static Result<std::unique_ptr<TombstoneKeyDecoder>> FromSpec(const SourceSpec& spec);

  // Appends one row to `batch` through `decoder` (the source's own): the key's columns set,
  // the others NULL. The caller marks the row's meta as a delete.
  Status DecodeRow(std::string_view record_key, JsonRecordDecoder& decoder, RecordBatch& batch);

 private:
  std::vector<Field> key_fields_;
  std::string json_;
};

}  // namespace sluice
