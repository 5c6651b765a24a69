#pragma once
// The bytes of one window-aggregate group in the operator's state table: binary and compact, since
// a checkpoint writes every group updated since the last one (all of them, for a hot window) and
// RocksDB holds each in its write batch, memtable and log. A format byte, a flags byte (the
// group's `emitted` flag; whether cells follow), then, only when needed, the value cells (group
// keys when the table key cannot give them back, then each call's LATEST/EARLIEST value) in
// JoinRowCodec's encoding, then per call a mask of its non-zero fields and those fields (integers
// as zig-zag varints, doubles raw, MIN/MAX string and COUNT(DISTINCT) cells length-prefixed). A
// COUNT(*) group takes 4 bytes. The earlier fixed-width format ('G') is still read.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/status.h"
#include "runtime/operator/accumulator_slots.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/operator/join_row_codec.h"

namespace sluice {

class WindowGroupCodec {
 public:
  // `keys`: the group key expressions' types, in order; `calls`: the aggregate calls.
  WindowGroupCodec(const std::vector<DataType>& key_types, const std::vector<AggregateCall>& calls);

  // Appends the encoding of a group to `out`. Its key cells come from `keys` or, when that is
  // empty (an operator that holds keys only encoded), from `encoded_key` (EncodeCell's bytes).
  void Encode(std::string_view encoded_key, const std::vector<Value>& keys,
              std::span<const AggregateAccumulator> accumulators, bool emitted, std::string& out);
  // Reads a group written by Encode, its key values into `keys` unless that is null (or Encode was
  // given none). Anything else (the JSON of earlier versions, a cut value) is a STORAGE error.
  Status Decode(std::string_view bytes, std::vector<Value>* keys, AccumulatorSlots& accumulators,
                bool& emitted);

 private:
  static constexpr char kFormat = 'H';
  static constexpr char kLegacyFormat = 'G';  // fixed-width fields, cells always
  static constexpr uint8_t kEmitted = 1;
  static constexpr uint8_t kCells = 2;

  Status DecodeLegacy(std::string_view bytes, std::vector<Value>* keys,
                      AccumulatorSlots& accumulators, bool& emitted);

  size_t num_keys_;
  size_t num_calls_;
  std::unique_ptr<JoinRowCodec> cells_codec_;  // keys, then one value cell per call
  RecordBatch cells_;                          // one-row scratch batch of those cells
};

}  // namespace sluice
