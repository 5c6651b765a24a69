#include "runtime/operator/window_group_codec.h"

#include <cstring>

#include "runtime/operator/raw_bytes.h"

namespace sluice {

namespace {

void AppendBytes(std::string_view text, std::string& out) {
  AppendRaw(static_cast<uint32_t>(text.size()), out);
  out.append(text);
}

bool ReadBytes(std::string_view bytes, size_t* pos, std::string_view* text) {
  uint32_t length = 0;
  if (!ReadRaw(bytes, pos, &length) || bytes.size() - *pos < length) return false;
  *text = bytes.substr(*pos, length);
  *pos += length;
  return true;
}

Status Corrupt() {
  return Status::Storage(
      "window aggregate state: a group value is truncated or malformed (state written by an "
      "older Sluice is not readable: recreate the query)");
}

}  // namespace

WindowGroupCodec::WindowGroupCodec(const std::vector<DataType>& key_types,
                                   const std::vector<AggregateCall>& calls)
    : num_keys_(key_types.size()), num_calls_(calls.size()) {
  Schema cells;
  for (size_t key_idx = 0; key_idx < key_types.size(); ++key_idx) {
    cells.Add(Field{"k" + std::to_string(key_idx), key_types[key_idx]});
  }
  for (size_t call_idx = 0; call_idx < calls.size(); ++call_idx) {
    cells.Add(Field{"v" + std::to_string(call_idx), calls[call_idx].type});
  }
  cells_codec_ = std::make_unique<JoinRowCodec>(cells);
  cells_ = RecordBatch(cells);
}

void WindowGroupCodec::Encode(const std::vector<Value>& keys,
                              const std::vector<AggregateAccumulator>& accumulators, bool emitted,
                              std::string& out) {
  cells_.Clear();
  for (size_t key_idx = 0; key_idx < num_keys_; ++key_idx) {
    cells_.column(key_idx).AppendValue(keys[key_idx]);
  }
  for (size_t call_idx = 0; call_idx < num_calls_; ++call_idx) {
    const Value& value = accumulators[call_idx].best_value();
    Column& column = cells_.column(num_keys_ + call_idx);
    if (value.is_null()) {
      column.AppendNull();  // also the untyped default of every call but LATEST/EARLIEST
    } else {
      column.AppendValue(value);
    }
  }
  out.push_back(kFormat);
  const size_t length_at = out.size();
  AppendRaw(uint32_t{0}, out);
  cells_codec_->Encode(cells_, 0, 0, false, out);
  const auto length = static_cast<uint32_t>(out.size() - length_at - sizeof(uint32_t));
  std::memcpy(out.data() + length_at, &length, sizeof length);
  for (const AggregateAccumulator& acc : accumulators) {
    AppendRaw(acc.count, out);
    AppendRaw(acc.int_sum, out);
    AppendRaw(acc.double_sum, out);
    AppendRaw(acc.best_int, out);
    AppendRaw(acc.best_double, out);
    AppendRaw(acc.best_sequence, out);
    AppendBytes(acc.best_string(), out);
    AppendRaw(static_cast<uint32_t>(acc.distinct().size()), out);
    for (const std::string& cell : acc.distinct()) AppendBytes(cell, out);
  }
  out.push_back(emitted ? 1 : 0);
}

Status WindowGroupCodec::Decode(std::string_view bytes, std::vector<Value>& keys,
                                std::vector<AggregateAccumulator>& accumulators, bool& emitted) {
  size_t pos = 1;
  std::string_view cells;
  if (bytes.empty() || bytes[0] != kFormat || !ReadBytes(bytes, &pos, &cells)) return Corrupt();
  cells_.Clear();
  if (!cells_codec_->Decode(cells, cells_, 0).ok()) return Corrupt();
  keys.clear();
  for (size_t key_idx = 0; key_idx < num_keys_; ++key_idx) {
    keys.push_back(cells_.column(key_idx).GetValue(0));
  }
  accumulators.assign(num_calls_, AggregateAccumulator());
  for (size_t call_idx = 0; call_idx < num_calls_; ++call_idx) {
    AggregateAccumulator& acc = accumulators[call_idx];
    const Column& value = cells_.column(num_keys_ + call_idx);
    if (!value.IsNull(0)) acc.mutable_extra().best_value = value.GetValue(0);
    std::string_view best_string;
    uint32_t num_distinct = 0;
    if (!ReadRaw(bytes, &pos, &acc.count) || !ReadRaw(bytes, &pos, &acc.int_sum) ||
        !ReadRaw(bytes, &pos, &acc.double_sum) || !ReadRaw(bytes, &pos, &acc.best_int) ||
        !ReadRaw(bytes, &pos, &acc.best_double) || !ReadRaw(bytes, &pos, &acc.best_sequence) ||
        !ReadBytes(bytes, &pos, &best_string) || !ReadRaw(bytes, &pos, &num_distinct)) {
      return Corrupt();
    }
    if (!best_string.empty()) acc.mutable_extra().best_string.assign(best_string);
    for (uint32_t cell_idx = 0; cell_idx < num_distinct; ++cell_idx) {
      std::string_view cell;
      if (!ReadBytes(bytes, &pos, &cell)) return Corrupt();
      acc.mutable_extra().distinct.emplace(cell);
    }
  }
  if (bytes.size() - pos != 1) return Corrupt();
  emitted = bytes[pos] != 0;
  return Status::OK();
}

}  // namespace sluice
