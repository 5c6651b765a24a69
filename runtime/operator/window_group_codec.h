#pragma once
// The bytes of one window-aggregate group in the operator's state table: binary and positional, so
// a checkpoint that writes every open group costs a few memcpy per group, not a JSON object. A
// format byte, then the value cells (group keys, then each call's LATEST/EARLIEST value) in
// JoinRowCodec's encoding, then per call its fixed numbers, MIN/MAX string and COUNT(DISTINCT)
// cells, then the group's `emitted` flag.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/status.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/operator/join_row_codec.h"

namespace sluice {

class WindowGroupCodec {
 public:
  // `keys`: the group key expressions' types, in order; `calls`: the aggregate calls.
  WindowGroupCodec(const std::vector<DataType>& key_types, const std::vector<AggregateCall>& calls);

  // Appends the encoding of a group to `out`.
  void Encode(const std::vector<Value>& keys, const std::vector<AggregateAccumulator>& accumulators,
              bool emitted, std::string& out);
  // Reads a group written by Encode. Anything else (the JSON of earlier versions, a cut value) is a
  // STORAGE error.
  Status Decode(std::string_view bytes, std::vector<Value>& keys,
                std::vector<AggregateAccumulator>& accumulators, bool& emitted);

 private:
  static constexpr char kFormat = 'G';  // never '{', the first byte of the earlier JSON format

  size_t num_keys_;
  size_t num_calls_;
  std::unique_ptr<JoinRowCodec> cells_codec_;  // keys, then one value cell per call
  RecordBatch cells_;                          // one-row scratch batch of those cells
};

}  // namespace sluice
