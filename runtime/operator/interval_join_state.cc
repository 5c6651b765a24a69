// Checkpointing of IntervalJoinOperator. A table key is 'L' or 'R' (the side), the row id (8
// bytes, big-endian) and the encoded join key; the value is the row (JoinRowCodec). Rows are
// written once when buffered (again if they become matched) and deleted once purged.

#include <algorithm>

#include "runtime/operator/interval_join.h"

namespace sluice {

Status IntervalJoinOperator::AttachState(StateTable* table) {
  table_ = table;
  Status status = Status::OK();
  RETURN_NOT_OK(table_->Scan("", "", [&](std::string_view key, std::string_view value) {
    if (key.size() < 9 || (key[0] != 'L' && key[0] != 'R')) {
      status =
          Status::Storage("join state: unexpected key of " + std::to_string(key.size()) + " bytes");
      return false;
    }
    const JoinSide side = key[0] == 'L' ? JoinSide::kLeft : JoinSide::kRight;
    const int64_t id = JoinRowCodec::ReadInt(key.substr(1, 8));
    Buffered buffered;
    buffered.key = std::string(key.substr(9));
    buffered.persisted = true;
    status = codecs_[static_cast<int>(side)]->Decode(value, buffered.row);
    if (!status.ok()) return false;
    SideState& side_state = state(side);
    side_state.by_key[buffered.key].push_back(id);
    side_state.by_time.emplace(buffered.row.time, id);
    side_state.rows.emplace(id, std::move(buffered));
    next_id_ = std::max(next_id_, id + 1);
    return true;
  }));
  return status;
}

std::string IntervalJoinOperator::TableKey(JoinSide side, int64_t id, const std::string& key) {
  std::string table_key(1, side == JoinSide::kLeft ? 'L' : 'R');
  JoinRowCodec::AppendInt(id, table_key);
  table_key += key;
  return table_key;
}

Status IntervalJoinOperator::PrepareCheckpoint() {
  if (table_ == nullptr) return Status::OK();
  for (const std::string& key : deleted_) RETURN_NOT_OK(table_->Delete(key));
  std::sort(dirty_.begin(), dirty_.end());
  dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
  for (const auto& [side_idx, id] : dirty_) {
    auto found = sides_[side_idx].rows.find(id);
    if (found == sides_[side_idx].rows.end()) continue;  // purged before it was ever written
    Buffered& buffered = found->second;
    RETURN_NOT_OK(table_->Put(TableKey(static_cast<JoinSide>(side_idx), id, buffered.key),
                              codecs_[side_idx]->Encode(buffered.row)));
    buffered.persisted = true;
  }
  deleted_.clear();
  dirty_.clear();
  return Status::OK();
}

}  // namespace sluice
