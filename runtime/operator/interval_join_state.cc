// Checkpointing of IntervalJoinOperator. Rows are persisted by chunk of the side's JoinRowStore:
// the table key is 'L' or 'R' (the side) and the chunk's first row index (8 bytes, big-endian);
// the value is the chunk's live rows, each as a 4-byte key length, a 4-byte row length, the
// encoded join key and the row (JoinRowCodec, its flag: matched). A chunk is rewritten at a
// checkpoint when rows were added to it, purged from it or newly matched (outer sides only), and
// deleted once it has no live row.

#include <algorithm>
#include <cstring>

#include "runtime/operator/interval_join.h"

namespace sluice {

Status IntervalJoinOperator::AttachState(StateTable* table) {
  table_ = table;
  sides_[0].TrackChanges();
  sides_[1].TrackChanges();
  Status status = Status::OK();
  RETURN_NOT_OK(table_->Scan("", "", [&](std::string_view key, std::string_view value) {
    if (key.size() != 9 || (key[0] != 'L' && key[0] != 'R')) {
      status = Status::Storage(
          "join state: unexpected key of " + std::to_string(key.size()) +
          " bytes (state written by an older Sluice is not readable: recreate the query)");
      return false;
    }
    JoinRowStore& rows = sides_[key[0] == 'L' ? 0 : 1];
    size_t pos = 0;
    while (pos < value.size()) {
      if (value.size() - pos < 8) break;
      const uint32_t key_size = JoinRowCodec::ReadLength(value, pos);
      const uint32_t row_size = JoinRowCodec::ReadLength(value, pos + 4);
      pos += 8;
      if (value.size() - pos < static_cast<size_t>(key_size) + row_size) break;
      const std::string_view join_key = value.substr(pos, key_size);
      const std::string_view row = value.substr(pos + key_size, row_size);
      pos += static_cast<size_t>(key_size) + row_size;
      if (!JoinRowCodec::Valid(row)) break;
      const int64_t index =
          rows.Add(join_key, JoinRowStore::Hash(join_key), row, JoinRowCodec::Time(row));
      rows.at(index).matched = JoinRowCodec::Flag(row);
    }
    if (pos != value.size()) {
      status = Status::Storage("join state: a chunk of rows is truncated or malformed");
      return false;
    }
    restored_keys_.emplace_back(key);
    status = rows.SpillOverBudget();
    return status.ok();
  }));
  return status;
}

std::string IntervalJoinOperator::TableKey(int side_idx, int64_t first) {
  std::string table_key(1, side_idx == 0 ? 'L' : 'R');
  JoinRowCodec::AppendInt(first, table_key);
  return table_key;
}

void IntervalJoinOperator::SetSpill(const std::string& dir, size_t resident_budget_bytes) {
  for (JoinRowStore& rows : sides_) rows.SetSpill(dir, resident_budget_bytes);
}

Status IntervalJoinOperator::WriteChunk(int side_idx, int64_t first) {
  JoinRowStore& rows = sides_[side_idx];
  encoded_.clear();
  RETURN_NOT_OK(rows.ForEachLive(
      first,
      [&](int64_t, int64_t, std::string_view key, std::string_view row, bool matched) -> Status {
        JoinRowCodec::AppendLength(static_cast<uint32_t>(key.size()), encoded_);
        JoinRowCodec::AppendLength(static_cast<uint32_t>(row.size()), encoded_);
        encoded_.append(key);
        const size_t row_at = encoded_.size();
        encoded_.append(row);
        encoded_[row_at + JoinRowCodec::kFlagOffset] = matched ? 1 : 0;
        return Status::OK();
      }));
  if (encoded_.empty()) {
    if (rows.written(first)) RETURN_NOT_OK(table_->Delete(TableKey(side_idx, first)));
    rows.SetWritten(first, false);
    return Status::OK();
  }
  RETURN_NOT_OK(table_->Put(TableKey(side_idx, first), encoded_));
  rows.SetWritten(first, true);
  return Status::OK();
}

Status IntervalJoinOperator::PrepareCheckpoint() {
  if (table_ == nullptr) return Status::OK();
  // Restored rows live in new chunks now; their old keys go first (a new chunk may reuse one).
  for (const std::string& key : restored_keys_) RETURN_NOT_OK(table_->Delete(key));
  restored_keys_.clear();
  for (int side_idx = 0; side_idx < 2; ++side_idx) {
    for (int64_t first : sides_[side_idx].TakeReleased()) {
      RETURN_NOT_OK(table_->Delete(TableKey(side_idx, first)));
    }
    for (int64_t first : sides_[side_idx].TakeDirty()) RETURN_NOT_OK(WriteChunk(side_idx, first));
  }
  return Status::OK();
}

}  // namespace sluice
