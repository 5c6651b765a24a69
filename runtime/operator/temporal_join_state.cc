// Checkpointing of TemporalJoinOperator. Versions are written in blocks: the table key is 'B' and
// the block id (8 bytes, big-endian, so blocks restore in the order they were written); the value
// is the block's versions, each as a 4-byte key length, a 4-byte row length, the encoded join key
// and the version (JoinRowCodec: its time, its flag: a delete). See TemporalJoinOperator::Block.

#include <algorithm>
#include <cstring>

#include "runtime/operator/temporal_join.h"

namespace sluice {

std::string TemporalJoinOperator::BlockKey(int64_t id) {
  std::string table_key = "B";
  JoinRowCodec::AppendInt(id, table_key);
  return table_key;
}

void TemporalJoinOperator::Unblock(VersionTable::Version& version) {
  if (version.block < 0) return;
  auto found = blocks_.find(version.block);
  version.block = -1;
  if (found == blocks_.end()) return;
  Block& block = found->second;
  --block.live;
  if (block.live * 2 < block.total && !block.sparse) {
    block.sparse = true;
    sparse_.push_back(found->first);
  }
}

Status TemporalJoinOperator::AttachState(StateTable* table) {
  table_ = table;
  Status status = Status::OK();
  RETURN_NOT_OK(table_->Scan("", "", [&](std::string_view table_key, std::string_view value) {
    if (table_key.size() != 9 || table_key[0] != 'B') {
      status = Status::Storage(
          "temporal join state: unexpected key (state written by an older Sluice is not "
          "readable: recreate the query)");
      return false;
    }
    const int64_t id = JoinRowCodec::ReadInt(table_key.substr(1));
    next_block_ = std::max(next_block_, id + 1);
    Block& block = blocks_[id];
    size_t pos = 0;
    while (value.size() - pos >= 8) {
      const uint32_t key_size = JoinRowCodec::ReadLength(value, pos);
      const uint32_t row_size = JoinRowCodec::ReadLength(value, pos + 4);
      if (value.size() - pos - 8 < static_cast<size_t>(key_size) + row_size) break;
      const std::string_view key = value.substr(pos + 8, key_size);
      const std::string_view row = value.substr(pos + 8 + key_size, row_size);
      if (!JoinRowCodec::Valid(row)) break;
      pos += 8 + static_cast<size_t>(key_size) + row_size;
      const int64_t time = JoinRowCodec::Time(row);
      const int64_t slot = versions_.FindOrAdd(key, JoinKeyIndex::Hash(key));
      bool added = false;
      VersionTable::Version& version = VersionTable::At(versions_.at(slot), time, &added);
      if (added) ++version_count_;
      Unblock(version);  // a later block replaces an earlier one's version
      version.bytes.assign(row);
      version.block = id;
      ++block.live;
      ++block.total;
      block.members.emplace_back(time, slot);
      QueuePurge(slot);
    }
    if (pos != value.size()) {
      status =
          Status::Storage("temporal join state: a block of versions is truncated or malformed");
      return false;
    }
    return true;
  }));
  return status;
}

Status TemporalJoinOperator::PrepareCheckpoint() {
  if (table_ == nullptr) return Status::OK();
  // Sparse blocks: their live versions are written again with the new ones, then they go.
  for (int64_t id : sparse_) {
    auto found = blocks_.find(id);
    if (found == blocks_.end()) continue;
    for (const auto& [time, slot] : found->second.members) {
      VersionTable::Version* version = VersionTable::Exact(versions_.at(slot), time);
      if (version == nullptr || version->block != id) continue;
      version->block = -1;
      pending_.emplace_back(time, slot);
    }
    RETURN_NOT_OK(table_->Delete(BlockKey(id)));
    blocks_.erase(found);
  }
  sparse_.clear();
  return WritePending();
}

Status TemporalJoinOperator::WritePending() {
  Block block;
  encoded_.clear();
  auto flush = [&]() -> Status {
    if (block.total == 0) return Status::OK();
    const int64_t id = next_block_++;
    for (const auto& [time, slot] : block.members) {
      VersionTable::Exact(versions_.at(slot), time)->block = id;
    }
    RETURN_NOT_OK(table_->Put(BlockKey(id), encoded_));
    blocks_.emplace(id, std::move(block));
    block = Block();
    encoded_.clear();
    return Status::OK();
  };
  for (const auto& [time, slot] : pending_) {
    VersionTable::Version* version = VersionTable::Exact(versions_.at(slot), time);
    // Purged before it was written, or a repeat (already in this block: marked below).
    if (version == nullptr || version->block != -1) continue;
    version->block = 0;  // in the block being built (0 is never a block id)
    const std::string& key = versions_.at(slot).key;
    JoinRowCodec::AppendLength(key.size(), encoded_);
    JoinRowCodec::AppendLength(version->bytes.size(), encoded_);
    encoded_.append(key);
    encoded_.append(version->bytes);
    ++block.live;
    ++block.total;
    block.members.emplace_back(time, slot);
    if (block.total == kBlockVersions) RETURN_NOT_OK(flush());
  }
  pending_.clear();
  return flush();
}

}  // namespace sluice
