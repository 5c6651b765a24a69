#pragma once
// DecodeAll for the JSON decoder's tests: records through ONE decoder, rows back as text.

#include <string>
#include <vector>

#include "common/json_codec.h"

namespace sluice {

// Decodes each record with one decoder over `schema` (all columns) and returns the rows as text,
// or "error: " and the message of a failed record in its place.
inline std::vector<std::string> DecodeAll(const Schema& schema,
                                          const std::vector<std::string>& records) {
  std::vector<int> needed;
  for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
    needed.push_back(static_cast<int>(column_idx));
  }
  JsonRecordDecoder decoder(schema, needed);
  RecordBatch batch(decoder.output_schema());
  std::vector<std::string> rows;
  for (const std::string& record : records) {
    Status status = decoder.DecodeRow(record, batch);
    if (!status.ok()) {
      rows.push_back("error: " + status.message());
      continue;
    }
    std::string row;
    const size_t last = batch.column(0).size() - 1;
    for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
      if (column_idx > 0) row += "|";
      row += batch.column(column_idx).GetValue(last).ToString();
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace sluice
