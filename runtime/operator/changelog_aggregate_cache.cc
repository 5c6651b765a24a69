// The bounded cache of a GROUP BY over a changelog (ChangelogAggregateOperator with a cache
// budget): previous rows and groups live in memory while recently changed and in the state table
// otherwise. Evicting happens at checkpoints (the pipeline checkpoints early once memory passes
// the budget), so what leaves memory is committed before anything reads it back. Evicting a chunk
// writes each of its previous rows under its own key ('p' + primary key), because a later row of
// that key has only the key to find it by, and deletes the chunk's entry. Evicting a group writes
// it ('g') only if it changed since the last checkpoint. The writes are part of the checkpoint:
// a crash before its commit loses them with everything else since the last one
// (docs/checkpoints.md).

#include <algorithm>

#include "common/json_codec.h"
#include "runtime/operator/aggregate_accumulator.h"
#include "runtime/operator/changelog_aggregate.h"

namespace sluice {
namespace {

// A hash map node besides its key and value (allocator header, next pointer, cached hash, bucket).
constexpr size_t kNodeOverheadBytes = 64;
// A MIN/MAX/COUNT(DISTINCT) multiset entry: a tree node, its string and count, a short cell.
constexpr size_t kMultisetEntryBytes = 96;

}  // namespace

size_t ChangelogAggregateOperator::GroupBytes(const std::string& group_key,
                                              const Group& group) const {
  size_t bytes = kNodeOverheadBytes + sizeof(std::string) + sizeof(Group) + group_key.capacity();
  for (const Value& value : group.keys) bytes += sizeof(Value) + value.string_value().capacity();
  for (const RetractableAccumulator& accumulator : group.accumulators) {
    bytes += sizeof(RetractableAccumulator) + accumulator.values.size() * kMultisetEntryBytes;
  }
  return bytes;
}

Result<ChangelogAggregateOperator::RowIndex> ChangelogAggregateOperator::ReadBackRow(
    const std::string& primary_key) {
  table_key_ = "p";
  table_key_ += primary_key;
  ASSIGN_OR_RETURN(bool found, table_->Get(table_key_, &table_value_));
  if (!found) return kNoRow;
  // The key is in memory (and soon in a chunk) again: its own entry goes.
  RETURN_NOT_OK(table_->Delete(table_key_));
  const RowIndex entry = rows_.Insert(primary_key, table_value_).first;
  AddToChunk(entry);
  rows_bytes_ += RowBytes(entry);
  ++rows_read_back_;
  return entry;
}

Result<std::unordered_map<std::string, ChangelogAggregateOperator::Group>::iterator>
ChangelogAggregateOperator::ReadBackGroup(std::string_view group_key) {
  table_key_ = "g";
  table_key_ += group_key;
  ASSIGN_OR_RETURN(bool found, table_->Get(table_key_, &table_value_));
  if (!found) return groups_.end();
  const Schema schema = GroupStateSchema();
  JsonRecordDecoder decoder(schema, AllColumns(schema));
  RecordBatch row(decoder.output_schema());
  Group group;
  RETURN_NOT_OK(DecodeGroup(table_value_, decoder, row, group));
  group.last_batch = batch_counter_;
  auto it = groups_.emplace(std::string(group_key), std::move(group)).first;
  it->second.charged_bytes = static_cast<uint32_t>(GroupBytes(it->first, it->second));
  groups_bytes_ += it->second.charged_bytes;
  ++groups_read_back_;
  return it;
}

Status ChangelogAggregateOperator::EvictCold() {
  // Down to half the budget, not just under it, so each pass over the chunks and groups pays for
  // many evictions: a stream of new keys costs O(1) amortized per key.
  const size_t target = cache_max_bytes_ / 2;
  struct Candidate {
    uint64_t last_batch;
    uint32_t chunk;  // kNoChunk: a group
    GroupMap::iterator group;
  };
  std::vector<Candidate> candidates;
  for (uint32_t chunk_id = 0; chunk_id < chunks_.size(); ++chunk_id) {
    // The open chunk stays: new keys are joining it.
    if (chunks_[chunk_id].members.empty() || chunk_id == open_chunk_) continue;
    candidates.push_back({chunks_[chunk_id].last_batch, chunk_id, groups_.end()});
  }
  for (auto it = groups_.begin(); it != groups_.end(); ++it) {
    candidates.push_back({it->second.last_batch, kNoChunk, it});
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.last_batch < b.last_batch; });
  const Schema schema = GroupStateSchema();
  RecordBatch dirty_rows(schema);
  std::vector<std::string> dirty_keys;
  std::vector<RowIndex> evicted_rows;
  for (const Candidate& candidate : candidates) {
    if (cached_bytes() <= target) break;
    if (candidate.chunk == kNoChunk) {
      Group& group = candidate.group->second;
      // A changed group is written on its way out; an unchanged one is in the table already.
      if (group.dirty) {
        AppendGroupRow(group, dirty_rows);
        dirty_keys.push_back("g" + candidate.group->first);
        group.dirty = false;
      }
      groups_in_table_.Add(candidate.group->first);
      groups_bytes_ -= group.charged_bytes;
      groups_.erase(candidate.group);
      ++groups_evicted_;
      continue;
    }
    Chunk& chunk = chunks_[candidate.chunk];
    for (RowIndex member : chunk.members) {
      evicted_rows.push_back(member);
      rows_bytes_ -= RowBytes(member);
    }
    chunk.members.clear();
    // A dirty chunk's entry is deleted by the checkpoint writing the dirty chunks (it is empty
    // now); a clean one's here.
    if (!chunk.dirty) RETURN_NOT_OK(table_->Delete(ChunkTableKey(candidate.chunk)));
    free_chunks_.push_back(candidate.chunk);
  }
  // In key order, so RocksDB's memtable inserts each next to the previous one.
  std::sort(evicted_rows.begin(), evicted_rows.end(),
            [this](RowIndex a, RowIndex b) { return rows_.key(a) < rows_.key(b); });
  for (RowIndex row : evicted_rows) {
    table_key_ = "p";
    table_key_ += rows_.key(row);
    RETURN_NOT_OK(table_->Put(table_key_, rows_.row(row)));
    rows_in_table_.Add(rows_.key(row));
    rows_.Erase(row);
  }
  rows_evicted_ += static_cast<int64_t>(evicted_rows.size());
  return PutStateRows(schema, dirty_rows, dirty_keys, *table_);
}

void ChangelogAggregateOperator::AddStateCounters(StateCounters& counters) const {
  counters.groups_evicted += groups_evicted_;
  counters.groups_read_back += groups_read_back_;
  counters.rows_evicted += rows_evicted_;
  counters.rows_read_back += rows_read_back_;
  if (caching()) counters.cache_bytes_now += static_cast<int64_t>(cached_bytes());
}

}  // namespace sluice
