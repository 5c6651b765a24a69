// The bounded group cache of a GROUP BY without a window (WindowAggregateOperator with a cache
// budget): groups live in memory while hot and in the state table otherwise. An evicted group
// that changed since the last checkpoint is written to the table on the way out; the write is
// uncommitted like every write between checkpoints (it stays in the store's write batch, which
// reads see), so a crash before the next commit loses it together with the input positions it
// reflects, and the restored state is exactly the last checkpoint (docs/checkpoints.md).

#include <algorithm>
#include <limits>

#include "common/big_endian.h"
#include "runtime/operator/window_aggregate.h"

namespace sluice {
namespace {

// What a hash map node and a group's vectors cost besides their elements (allocator headers,
// the bucket pointer, the node's next pointer and cached hash).
constexpr size_t kNodeOverheadBytes = 64;
constexpr size_t kDistinctCellBytes = 80;

}  // namespace

const std::string& WindowAggregateOperator::NoWindowTableKey() {
  // Built once: a checkpoint puts 100K+ groups under it, and a std::string of its 17 bytes is a
  // heap allocation each time (cache_key_ keeps its capacity instead).
  static const std::string* const key = new std::string(WindowTableKey(0, 0));
  return *key;
}

size_t WindowAggregateOperator::EstimateBytes(std::string_view key, const Group& group) const {
  size_t bytes = kNodeOverheadBytes + sizeof(std::string_view) + sizeof(Group) + key.size();
  for (const Value& value : group.key_values())
    bytes += sizeof(Value) + value.string_value().capacity();
  // Inline accumulators are part of sizeof(Group).
  if (!group.accumulators.is_inline()) {
    bytes += group.accumulators.size() * sizeof(AggregateAccumulator);
  }
  for (const AggregateAccumulator& accumulator : group.accumulators) {
    if (accumulator.extra == nullptr) continue;
    const AggregateAccumulator::Extra& extra = *accumulator.extra;
    bytes += sizeof(AggregateAccumulator::Extra) + extra.best_string.capacity() +
             extra.best_value.string_value().capacity();
    // Per cell a set node (the string, its next pointer and hash, an allocator header) and a
    // bucket; cells are short encoded values, so their own allocations are not walked: this runs
    // after every update of such a group.
    bytes +=
        extra.distinct.size() * kDistinctCellBytes + extra.distinct.bucket_count() * sizeof(void*);
  }
  return bytes;
}

bool WindowAggregateOperator::Expired(const Group& group) const {
  if (state_ttl_ms_ <= 0 || watermark_ < std::numeric_limits<int64_t>::min() + state_ttl_ms_) {
    return false;
  }
  return group.updated_at <= watermark_ - state_ttl_ms_;
}

Status WindowAggregateOperator::PutCachedGroup(std::string_view key, const Group& group) {
  cache_key_.assign(NoWindowTableKey());
  cache_key_.append(key);
  cache_value_.clear();
  codec().Encode(key, group.key_values(), group.accumulators, group.emitted, cache_value_);
  // With a TTL the value ends with the group's last update time (the plan, and so the format,
  // never changes for a query).
  if (state_ttl_ms_ > 0) AppendBigEndian(static_cast<uint64_t>(group.updated_at), 8, cache_value_);
  written_keys_.Add(key);
  return table_->Put(cache_key_, cache_value_);
}

Result<WindowAggregateOperator::Groups::value_type*> WindowAggregateOperator::CachedGroup(
    std::string_view key, uint64_t hash, const std::vector<Column>& key_columns, size_t row) {
  Groups& groups = *cached_groups_;
  // One probe of the group map whether or not the group is held (a stream of new keys, like
  // q4's auctions, mostly creates one); a new entry is filled in place.
  auto [it, created] = groups.try_emplace_hashed(key, hash);
  if (!created) {
    if (Expired(it->second)) {
      // Expired but not swept yet: the key starts over, as if never seen (in place: staged rows
      // may point at the group).
      ++expired_groups_;
      Group fresh = NewGroup(key_columns, row);
      fresh.charged_bytes = static_cast<uint32_t>(EstimateBytes(it->first, fresh));
      cached_bytes_ = cached_bytes_ - it->second.charged_bytes + fresh.charged_bytes;
      it->second = std::move(fresh);
    }
    return &*it;
  }
  Status loaded = LoadCachedGroup(key, key_columns, row, it->second);
  if (!loaded.ok()) {
    groups.erase(it);
    return loaded;
  }
  const size_t bytes = EstimateBytes(it->first, it->second);
  it->second.charged_bytes = static_cast<uint32_t>(bytes);
  cached_bytes_ += bytes;
  return &*it;
}

Status WindowAggregateOperator::LoadCachedGroup(std::string_view key,
                                                const std::vector<Column>& key_columns, size_t row,
                                                Group& group) {
  bool found = false;
  if (table_may_hold_groups_ && (table_held_groups_at_attach_ || written_keys_.MayContain(key))) {
    cache_key_.assign(NoWindowTableKey());
    cache_key_.append(key);
    ASSIGN_OR_RETURN(found, table_->Get(cache_key_, &cache_value_));
  }
  if (found) {
    std::string_view value = cache_value_;
    if (state_ttl_ms_ > 0) {
      if (value.size() < 8) return Status::Storage("group state without its update time");
      group.updated_at = static_cast<int64_t>(ReadBigEndian(value.substr(value.size() - 8), 8));
      value.remove_suffix(8);
    }
    RETURN_NOT_OK(codec().Decode(value, keep_key_values_ ? &group.mutable_key_values() : nullptr,
                                 group.accumulators, group.emitted));
    ++reads_back_;
    if (Expired(group)) {
      found = false;
      ++expired_groups_;
    }
  }
  if (!found) group = NewGroup(key_columns, row);
  return Status::OK();
}

Status WindowAggregateOperator::EvictColdGroups() {
  Groups& groups = *cached_groups_;
  // Evicting down to half the budget, not just under it, makes each pass over the groups pay
  // for many evictions: a stream of new keys costs O(1) amortized per key.
  const size_t target = cache_max_bytes_ / 2;
  std::vector<std::pair<uint64_t, Groups::iterator>> by_age;
  by_age.reserve(groups.size());
  for (auto it = groups.begin(); it != groups.end(); ++it) {
    by_age.emplace_back(it->second.last_batch, it);
  }
  std::sort(by_age.begin(), by_age.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t evicted = 0;
  for (size_t freed = 0; evicted < by_age.size() && cached_bytes_ - freed > target; ++evicted) {
    freed += by_age[evicted].second->second.charged_bytes;
  }
  // The oldest go, in key order: the commit inserts them into RocksDB's memtable each next to the
  // previous one instead of searching its skip list from the top.
  std::sort(by_age.begin(), by_age.begin() + static_cast<ptrdiff_t>(evicted),
            [](const auto& a, const auto& b) { return a.second->first < b.second->first; });
  if (evicted > 0) {
    // The list of dirty groups may name the erased ones: the next checkpoint scans instead.
    dirty_cached_.clear();
    dirty_cached_complete_ = false;
  }
  for (size_t evict_idx = 0; evict_idx < evicted; ++evict_idx) {
    Groups::iterator it = by_age[evict_idx].second;
    // A group changed since the last checkpoint goes to the (uncommitted) table on its way out;
    // an unchanged one is there already.
    if (it->second.dirty) RETURN_NOT_OK(PutCachedGroup(it->first, it->second));
    cached_bytes_ -= it->second.charged_bytes;
    groups.erase(it);
    ++evictions_;
  }
  table_may_hold_groups_ = true;
  return Status::OK();
}

Status WindowAggregateOperator::PutDirtyCachedGroups() {
  // The sweep reads the table (evicted groups included), so it goes before the writes below,
  // which skip the read index until the commit: the cache reads nothing else before it. The two
  // touch different groups (the sweep leaves those in memory to this pass).
  RETURN_NOT_OK(SweepExpiredFromTable());
  table_->WriteWithoutReadsUntilCommit();
  Groups& groups = *cached_groups_;
  std::vector<Groups::value_type*> dirty;
  // Without a TTL and with no eviction since the last checkpoint, the list is every group that
  // turned dirty since, each once; otherwise every group is visited.
  const bool listed = dirty_cached_complete_ && state_ttl_ms_ <= 0;
  if (listed) dirty.swap(dirty_cached_);
  dirty_cached_.clear();
  dirty_cached_complete_ = true;
  for (auto it = groups.begin(); !listed && it != groups.end();) {
    Group& group = it->second;
    if (Expired(group)) {
      // Dropped from memory and table alike (a Delete of a key the table lacks costs a little
      // batch space, no more).
      cache_key_.assign(NoWindowTableKey());
      cache_key_.append(it->first);
      RETURN_NOT_OK(table_->Delete(cache_key_));
      cached_bytes_ -= group.charged_bytes;
      it = groups.erase(it);
      ++expired_groups_;
      continue;
    }
    if (group.dirty) dirty.push_back(&*it);
    ++it;
  }
  // In key order, so RocksDB's memtable inserts each next to the previous one.
  std::sort(dirty.begin(), dirty.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (Groups::value_type* entry : dirty) {
    RETURN_NOT_OK(PutCachedGroup(entry->first, entry->second));
    entry->second.dirty = false;
  }
  return Status::OK();
}

Status WindowAggregateOperator::SweepExpiredFromTable() {
  // A full scan, so at most once per half TTL of event time: a group evicted and never updated
  // again leaves the disk within 1.5 TTL (it is expired, i.e. ignored, after one TTL).
  if (state_ttl_ms_ <= 0 || !table_may_hold_groups_ || watermark_ == INT64_MIN) {
    return Status::OK();
  }
  if (last_table_sweep_ != INT64_MIN && watermark_ - last_table_sweep_ < state_ttl_ms_ / 2) {
    return Status::OK();
  }
  last_table_sweep_ = watermark_;
  const std::string begin = WindowTableKey(0, 0);
  std::string end = begin;
  end.push_back('\xff');  // group keys never start with 0xff: EncodeCell tags each cell
  std::vector<std::string> expired;
  Group probe;
  RETURN_NOT_OK(table_->Scan(begin, end, [&](std::string_view key, std::string_view value) {
    if (value.size() < 8) return true;
    probe.updated_at = static_cast<int64_t>(ReadBigEndian(value.substr(value.size() - 8), 8));
    // In memory, the group is newer than its table copy (or expired there too): leave it to the
    // pass above.
    if (Expired(probe) && !cached_groups_->count(std::string(key.substr(begin.size())))) {
      expired.emplace_back(key);
    }
    return true;
  }));
  for (const std::string& key : expired) RETURN_NOT_OK(table_->Delete(key));
  expired_groups_ += static_cast<int64_t>(expired.size());
  return Status::OK();
}

void WindowAggregateOperator::AddStateCounters(StateCounters& counters) const {
  counters.groups_evicted += evictions_;
  counters.groups_read_back += reads_back_;
  counters.groups_expired += expired_groups_;
  counters.cache_bytes_now += static_cast<int64_t>(cached_bytes_);
}

}  // namespace sluice
