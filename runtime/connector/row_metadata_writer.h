#pragma once
// Fills the hidden columns of the row functions ROWTIME(), ROWKEY() and ROWMETA() (see
// runtime/plan/row_metadata.h) from the record a source just decoded. Sources ask it whether
// any is needed before they read a record's key or headers, so a query without row functions
// pays nothing.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "runtime/plan/physical_plan.h"
#include "storage/log/log_record.h"

namespace sluice {

// What a source knows about one record, beyond its value.
struct RecordOrigin {
  int64_t timestamp = 0;  // the record's own timestamp, epoch ms
  std::optional<std::string_view> key;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view timestamp_type = "CreateTime";
  std::span<const LogHeader> headers;
};

class RowMetadataWriter {
 public:
  explicit RowMetadataWriter(const SourceSpec& spec);

  bool empty() const { return kinds_.empty(); }
  bool needs_key() const { return needs_key_; }
  bool needs_headers() const { return needs_headers_; }
  // Appends one row's metadata cells to the hidden columns (after the decoded ones).
  void Append(const RecordOrigin& origin, RecordBatch& batch) const;

 private:
  std::vector<RowMetadata> kinds_;
  size_t first_column_ = 0;
  std::string topic_;
  DataType meta_type_;
  bool needs_key_ = false;
  bool needs_headers_ = false;
};

}  // namespace sluice
