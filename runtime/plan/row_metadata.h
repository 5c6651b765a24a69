#pragma once
// Per-record metadata a query can read with the row functions ROWTIME(), ROWKEY() and ROWMETA()
// (as in DeltaStream). The binder turns each call into a hidden source column that the source
// fills from the record it decodes; a query that calls none of them decodes no key, header or
// metadata at all.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace sluice {

enum class RowMetadata : uint8_t {
  kRowTime = 0,  // BIGINT: the record's timestamp (epoch ms) as stored in the topic
  kRowKey = 1,   // VARCHAR: the record key as text, NULL when the record has none
  kRowMeta = 2,  // STRUCT<topic, partition, offset, timestamp_type, headers MAP<VARCHAR,VARCHAR>>
};
inline constexpr size_t kRowMetadataCount = 3;

// "rowtime" -> kRowTime, ...; nullopt for any other (lower-case) function name.
std::optional<RowMetadata> RowMetadataFromName(std::string_view lower_name);
// The SQL call, e.g. "ROWKEY()": names the hidden column in plans and messages.
std::string RowMetadataName(RowMetadata kind);
DataType RowMetadataType(RowMetadata kind);

}  // namespace sluice
