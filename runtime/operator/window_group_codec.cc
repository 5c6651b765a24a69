#include "runtime/operator/window_group_codec.h"

#include <cmath>
#include <cstring>

#include "runtime/operator/raw_bytes.h"

namespace sluice {

namespace {

bool ReadBytes(std::string_view bytes, size_t* pos, std::string_view* text) {
  uint32_t length = 0;
  if (!ReadRaw(bytes, pos, &length) || bytes.size() - *pos < length) return false;
  *text = bytes.substr(*pos, length);
  *pos += length;
  return true;
}

// Small negative numbers stay short too.
uint64_t ZigZag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}

bool ReadZigZag(std::string_view bytes, size_t* pos, int64_t* value) {
  uint64_t bits = 0;
  if (!ReadVarint(bytes, pos, &bits)) return false;
  *value = static_cast<int64_t>((bits >> 1) ^ (~(bits & 1) + 1));
  return true;
}

void AppendShortBytes(std::string_view text, std::string& out) {
  AppendVarint(text.size(), out);
  out.append(text);
}

bool ReadShortBytes(std::string_view bytes, size_t* pos, std::string_view* text) {
  uint64_t length = 0;
  if (!ReadVarint(bytes, pos, &length) || bytes.size() - *pos < length) return false;
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

void WindowGroupCodec::Encode(std::string_view encoded_key, const std::vector<Value>& keys,
                              std::span<const AggregateAccumulator> accumulators, bool emitted,
                              std::string& out) {
  // The cells go in only when something needs them: key values the table key cannot give back
  // (`keys` given) or a LATEST/EARLIEST value. A COUNT/SUM/MIN/MAX group is a few bytes.
  bool cells = !keys.empty();
  for (const AggregateAccumulator& acc : accumulators) cells = cells || !acc.best_value().is_null();
  out.push_back(kFormat);
  out.push_back(static_cast<char>((emitted ? kEmitted : 0) | (cells ? kCells : 0)));
  if (cells) {
    cells_.Clear();
    for (size_t key_idx = 0; key_idx < num_keys_; ++key_idx) {
      Column& column = cells_.column(key_idx);
      // Without key values the key cells are NULL: a reader takes keys from the table key.
      if (keys.empty()) {
        column.AppendNull();
      } else {
        column.AppendValue(keys[key_idx]);
      }
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
    const size_t length_at = out.size();
    AppendRaw(uint32_t{0}, out);
    cells_codec_->Encode(cells_, 0, 0, false, out);
    const auto length = static_cast<uint32_t>(out.size() - length_at - sizeof(uint32_t));
    std::memcpy(out.data() + length_at, &length, sizeof length);
  }
  for (const AggregateAccumulator& acc : accumulators) {
    // A mask of the fields that are not zero (or empty), then those fields. best_int and
    // best_double are int_sum's and double_sum's bytes (bits 2 and 4); bits 8 and 16 are only
    // read, from groups an earlier version wrote.
    const uint8_t mask = (acc.count != 0 ? 1 : 0) | (acc.int_sum != 0 ? 2 : 0) |
                         (acc.double_sum != 0 || std::signbit(acc.double_sum) ? 4 : 0) |
                         (acc.best_sequence() != 0 ? 32 : 0) |
                         (!acc.best_string().empty() ? 64 : 0) |
                         (!acc.distinct().empty() ? 128 : 0);
    out.push_back(static_cast<char>(mask));
    if (mask & 1) AppendVarint(ZigZag(acc.count), out);
    if (mask & 2) AppendVarint(ZigZag(acc.int_sum), out);
    if (mask & 4) AppendRaw(acc.double_sum, out);
    if (mask & 32) AppendVarint(ZigZag(acc.best_sequence()), out);
    if (mask & 64) AppendShortBytes(acc.best_string(), out);
    if (mask & 128) {
      AppendVarint(acc.distinct().size(), out);
      for (const std::string& cell : acc.distinct()) AppendShortBytes(cell, out);
    }
  }
}

Status WindowGroupCodec::Decode(std::string_view bytes, std::vector<Value>* keys,
                                AccumulatorSlots& accumulators, bool& emitted) {
  if (!bytes.empty() && bytes[0] == kLegacyFormat) {
    return DecodeLegacy(bytes, keys, accumulators, emitted);
  }
  if (bytes.size() < 2 || bytes[0] != kFormat) return Corrupt();
  const auto flags = static_cast<uint8_t>(bytes[1]);
  emitted = (flags & kEmitted) != 0;
  size_t pos = 2;
  accumulators.assign(num_calls_);
  if (keys != nullptr) keys->clear();
  if (flags & kCells) {
    std::string_view cells;
    if (!ReadBytes(bytes, &pos, &cells)) return Corrupt();
    cells_.Clear();
    if (!cells_codec_->Decode(cells, cells_, 0).ok()) return Corrupt();
    for (size_t key_idx = 0; keys != nullptr && key_idx < num_keys_; ++key_idx) {
      keys->push_back(cells_.column(key_idx).GetValue(0));
    }
    for (size_t call_idx = 0; call_idx < num_calls_; ++call_idx) {
      const Column& value = cells_.column(num_keys_ + call_idx);
      if (!value.IsNull(0)) accumulators[call_idx].mutable_extra().best_value = value.GetValue(0);
    }
  }
  for (AggregateAccumulator& acc : accumulators) {
    if (pos == bytes.size()) return Corrupt();
    const auto mask = static_cast<uint8_t>(bytes[pos++]);
    bool ok = true;
    if (mask & 1) ok = ok && ReadZigZag(bytes, &pos, &acc.count);
    if (mask & 2) ok = ok && ReadZigZag(bytes, &pos, &acc.int_sum);
    if (mask & 4) ok = ok && ReadRaw(bytes, &pos, &acc.double_sum);
    if (mask & 8) ok = ok && ReadZigZag(bytes, &pos, &acc.best_int);
    if (mask & 16) ok = ok && ReadRaw(bytes, &pos, &acc.best_double);
    int64_t best_sequence = 0;
    if (mask & 32) ok = ok && ReadZigZag(bytes, &pos, &best_sequence);
    if (best_sequence != 0) acc.mutable_extra().best_sequence = best_sequence;
    std::string_view text;
    if (mask & 64) {
      ok = ok && ReadShortBytes(bytes, &pos, &text);
      if (ok) acc.mutable_extra().best_string.assign(text);
    }
    if (mask & 128) {
      uint64_t num_distinct = 0;
      ok = ok && ReadVarint(bytes, &pos, &num_distinct);
      for (uint64_t cell_idx = 0; ok && cell_idx < num_distinct; ++cell_idx) {
        ok = ReadShortBytes(bytes, &pos, &text);
        if (ok) acc.mutable_extra().distinct.emplace(text);
      }
    }
    if (!ok) return Corrupt();
  }
  if (pos != bytes.size()) return Corrupt();
  return Status::OK();
}

Status WindowGroupCodec::DecodeLegacy(std::string_view bytes, std::vector<Value>* keys,
                                      AccumulatorSlots& accumulators, bool& emitted) {
  size_t pos = 1;
  std::string_view cells;
  if (!ReadBytes(bytes, &pos, &cells)) return Corrupt();
  cells_.Clear();
  if (!cells_codec_->Decode(cells, cells_, 0).ok()) return Corrupt();
  if (keys != nullptr) {
    keys->clear();
    for (size_t key_idx = 0; key_idx < num_keys_; ++key_idx) {
      keys->push_back(cells_.column(key_idx).GetValue(0));
    }
  }
  accumulators.assign(num_calls_);
  for (size_t call_idx = 0; call_idx < num_calls_; ++call_idx) {
    AggregateAccumulator& acc = accumulators[call_idx];
    const Column& value = cells_.column(num_keys_ + call_idx);
    if (!value.IsNull(0)) acc.mutable_extra().best_value = value.GetValue(0);
    std::string_view best_string;
    uint32_t num_distinct = 0;
    int64_t best_sequence = 0;
    int64_t int_sum = 0;
    double double_sum = 0;
    int64_t best_int = 0;
    double best_double = 0;
    if (!ReadRaw(bytes, &pos, &acc.count) || !ReadRaw(bytes, &pos, &int_sum) ||
        !ReadRaw(bytes, &pos, &double_sum) || !ReadRaw(bytes, &pos, &best_int) ||
        !ReadRaw(bytes, &pos, &best_double) || !ReadRaw(bytes, &pos, &best_sequence) ||
        !ReadBytes(bytes, &pos, &best_string) || !ReadRaw(bytes, &pos, &num_distinct)) {
      return Corrupt();
    }
    // The sums and the bests share their bytes now; a call kept one pair, the other stayed zero.
    acc.int_sum = int_sum != 0 ? int_sum : best_int;
    acc.double_sum = double_sum != 0 || std::signbit(double_sum) ? double_sum : best_double;
    if (best_sequence != 0) acc.mutable_extra().best_sequence = best_sequence;
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
