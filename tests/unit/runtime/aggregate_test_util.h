#pragma once
// Helpers for the aggregate operator tests: an operator's output rows as text.

#include <string>
#include <vector>

#include "common/batch.h"

namespace sluice::testing {

// One string per row: "+" (upsert) or "-" (delete), then each cell's display form.
inline std::vector<std::string> Rows(const RecordBatch& batch) {
  std::vector<std::string> rows;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    std::string text = batch.meta()[row].kind == RowKind::kDelete ? "-" : "+";
    for (const Value& value : batch.GetRow(row)) text += " " + value.ToString();
    rows.push_back(text);
  }
  return rows;
}

}  // namespace sluice::testing
