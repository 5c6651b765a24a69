// Checkpointing of IntervalJoinOperator. Rows are persisted by chunk of the side's JoinRowStore:
// the table key is 'L' or 'R' (the side) and the chunk's first row index (8 bytes, big-endian).
// The value is either
// - the chunk's live rows, each as a 4-byte key length, a 4-byte row length, the encoded join
//   key and the row (JoinRowCodec, its flag: matched), or
// - for a full chunk of a join that spills (its spill files join-left.rows / join-right.rows in
//   the state directory are durable), a reference to the chunk's image there:
//   kImageMark (4) | offset (8) | size (8) | bitmaps (1: 1 dead, 2 matched) | the bitmaps
//   (kChunkRows bits each) of the image's rows gone or matched since it was written.
//   The rows reach the disk once, in the file, instead of through RocksDB's log, flush and
//   compactions.
// A chunk is rewritten at a checkpoint when rows were added to it, purged from it or newly
// matched (outer sides only), and deleted once it has no live row.

#include <algorithm>
#include <cstring>

#include "runtime/operator/interval_join.h"

namespace sluice {

Status IntervalJoinOperator::AttachState(StateTable* table) {
  table_ = table;
  sides_[0].SetDurableSpill("join-left.rows");
  sides_[1].SetDurableSpill("join-right.rows");
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
    if (value.size() >= 4 && JoinRowCodec::ReadLength(value, 0) == kImageMark) {
      status = RestoreImage(rows, value);
      if (!status.ok()) return false;
      restored_keys_.emplace_back(key);
      status = rows.SpillOverBudget();
      return status.ok();
    }
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
  RETURN_NOT_OK(status);
  for (JoinRowStore& rows : sides_) RETURN_NOT_OK(rows.FinishRestore());
  return Status::OK();
}

Status IntervalJoinOperator::RestoreImage(JoinRowStore& rows, std::string_view value) {
  constexpr size_t kBitmapBytes = JoinRowStore::kChunkRows / 8;
  if (value.size() < kImageRefHeader) return MalformedRef();
  uint64_t offset = 0;
  uint64_t size = 0;
  std::memcpy(&offset, value.data() + 4, 8);
  std::memcpy(&size, value.data() + 12, 8);
  const auto bitmaps = static_cast<uint8_t>(value[20]);
  const std::string_view dead =
      (bitmaps & 1) != 0 ? value.substr(kImageRefHeader, kBitmapBytes) : std::string_view();
  const std::string_view matched = (bitmaps & 2) != 0
                                       ? value.substr(kImageRefHeader + dead.size(), kBitmapBytes)
                                       : std::string_view();
  if (value.size() != kImageRefHeader + dead.size() + matched.size() ||
      ((bitmaps & 1) != 0 && dead.size() != kBitmapBytes) ||
      ((bitmaps & 2) != 0 && matched.size() != kBitmapBytes)) {
    return MalformedRef();
  }
  auto bit = [](std::string_view bits, uint32_t slot) {
    return !bits.empty() && (static_cast<uint8_t>(bits[slot / 8]) >> (slot % 8) & 1) != 0;
  };
  return rows.ReadImage(offset, size,
                        [&](uint32_t slot, int64_t time, std::string_view join_key,
                            std::string_view row, bool was_matched) -> Status {
                          if (bit(dead, slot)) return Status::OK();
                          const int64_t index =
                              rows.Add(join_key, JoinRowStore::Hash(join_key), row, time);
                          rows.at(index).matched = was_matched || bit(matched, slot);
                          return Status::OK();
                        });
}

Status IntervalJoinOperator::MalformedRef() {
  return Status::Storage("join state: a reference to a spilled chunk of rows is malformed");
}

std::string IntervalJoinOperator::TableKey(int side_idx, int64_t first) {
  std::string table_key(1, side_idx == 0 ? 'L' : 'R');
  JoinRowCodec::AppendInt(first, table_key);
  return table_key;
}

void IntervalJoinOperator::SetSpill(const std::string& dir, size_t resident_budget_bytes) {
  for (JoinRowStore& rows : sides_) rows.SetSpill(dir, resident_budget_bytes);
}

void IntervalJoinOperator::AddStateCounters(StateCounters& counters) const {
  for (const JoinRowStore& rows : sides_) {
    counters.spilled_rows_now += rows.spilled_live_rows();
    counters.spilled_bytes_now += rows.spilled_bytes();
    counters.spill_chunks_read += rows.chunks_read();
  }
}

void IntervalJoinOperator::AppendBitmap(const std::vector<uint64_t>& bits, std::string& out) {
  for (uint64_t word : bits) {
    for (int byte = 0; byte < 8; ++byte) out.push_back(static_cast<char>(word >> (8 * byte)));
  }
}

Status IntervalJoinOperator::WriteChunk(int side_idx, int64_t first) {
  JoinRowStore& rows = sides_[side_idx];
  encoded_.clear();
  if (rows.live(first) > 0 && rows.Imageable(first)) {
    RETURN_NOT_OK(rows.Image(first));
    const JoinRowStore::ImageRef ref = rows.RefOf(first);
    JoinRowCodec::AppendLength(kImageMark, encoded_);
    encoded_.append(reinterpret_cast<const char*>(&ref.offset), 8);
    encoded_.append(reinterpret_cast<const char*>(&ref.size), 8);
    encoded_.push_back(
        static_cast<char>((ref.dead.empty() ? 0 : 1) | (ref.matched.empty() ? 0 : 2)));
    AppendBitmap(ref.dead, encoded_);
    AppendBitmap(ref.matched, encoded_);
    RETURN_NOT_OK(table_->Put(TableKey(side_idx, first), encoded_));
    rows.SetWritten(first, true);
    return Status::OK();
  }
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
    // The images this checkpoint references are on disk before it commits.
    RETURN_NOT_OK(sides_[side_idx].SyncSpill());
  }
  return Status::OK();
}

}  // namespace sluice
