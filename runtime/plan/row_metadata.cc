// See row_metadata.h.

#include "runtime/plan/row_metadata.h"

namespace sluice {

std::optional<RowMetadata> RowMetadataFromName(std::string_view lower_name) {
  if (lower_name == "rowtime") return RowMetadata::kRowTime;
  if (lower_name == "rowkey") return RowMetadata::kRowKey;
  if (lower_name == "rowmeta") return RowMetadata::kRowMeta;
  return std::nullopt;
}

std::string RowMetadataName(RowMetadata kind) {
  switch (kind) {
    case RowMetadata::kRowTime: return "ROWTIME()";
    case RowMetadata::kRowKey: return "ROWKEY()";
    case RowMetadata::kRowMeta: return "ROWMETA()";
  }
  return "?";
}

DataType RowMetadataType(RowMetadata kind) {
  switch (kind) {
    case RowMetadata::kRowTime: return DataType::Bigint();
    case RowMetadata::kRowKey: return DataType::Varchar();
    case RowMetadata::kRowMeta:
      return DataType::Struct({"topic", "partition", "offset", "timestamp_type", "headers"},
                              {DataType::Varchar(), DataType::Integer(), DataType::Bigint(),
                               DataType::Varchar(), DataType::Map(DataType::Varchar())});
  }
  return DataType::Null();
}

}  // namespace sluice
