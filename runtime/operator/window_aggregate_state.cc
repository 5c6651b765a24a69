// Checkpointing of WindowAggregateOperator: groups to and from its StateTable. A window's (or HOP
// pane's) groups are chunks under 'w' + window start + window end (big-endian, sign-flipped) +
// kChunkMarker + a sequence number (window_state_chunk.h); earlier versions wrote one key per
// group, 'w' + start + end + the encoded group key, which is still read (and rewritten as chunks
// at the window's next write). 's' + the encoded group key + session start + end holds a session;
// values are groups in WindowGroupCodec's binary encoding. For HOP in panes 'c' holds the
// watermark the windows closed up to; 'p' marks a close in progress (its watermark and the rows
// already emitted).

#include <algorithm>

#include "common/big_endian.h"
#include "runtime/operator/window_aggregate.h"
#include "runtime/operator/window_state_chunk.h"

namespace sluice {

namespace {

// Superseded chunk entries a window may carry beyond its live groups before it is rewritten: a
// few windows of hot groups rewrite seldom, and a window's chunks hold at most about twice its
// groups.
constexpr size_t kRewriteSlackEntries = 1024;

void AppendTime(int64_t value, std::string& out) { AppendOrderedInt64(value, out); }

int64_t ReadTime(std::string_view bytes) { return ReadOrderedInt64(bytes); }

}  // namespace

std::string WindowAggregateOperator::WindowTableKey(int64_t start, int64_t end) {
  std::string key = "w";
  AppendTime(start, key);
  AppendTime(end, key);
  return key;
}

WindowGroupCodec& WindowAggregateOperator::codec() {
  if (codec_ == nullptr) {
    std::vector<DataType> key_types;
    for (const auto& key : plan_.keys) key_types.push_back(key->type());
    codec_ = std::make_unique<WindowGroupCodec>(key_types, plan_.aggregates);
  }
  return *codec_;
}

Status WindowAggregateOperator::PutGroup(const std::string& table_key, std::string_view key,
                                         const Group& group, std::string& scratch) {
  scratch.clear();
  codec().Encode(key, group.key_values(), group.accumulators, group.emitted, scratch);
  return table_->Put(table_key, scratch);
}

Status WindowAggregateOperator::AttachState(StateTable* table) {
  table_ = table;
  if (cache_max_bytes_ > 0 && plan_.window.type == WindowType::kNone && plan_.emit_changes) {
    // Groups are read back when a record updates them, not restored up front: restoring is
    // O(1), and a state bigger than the budget never has to fit in memory.
    cached_groups_ = &windows_[{0, 0}];
    for (const AggregateCall& call : plan_.aggregates) {
      // A numeric MIN or MAX keeps its best value inline (AggregateAccumulator::best_int).
      const bool numeric_best =
          (call.function == AggregateFunction::kMin || call.function == AggregateFunction::kMax) &&
          call.argument != nullptr &&
          (call.argument->type().physical() == PhysicalKind::kInt64 ||
           call.argument->type().physical() == PhysicalKind::kDouble);
      variable_size_groups_ =
          variable_size_groups_ || call.distinct ||
          ((call.function == AggregateFunction::kMin || call.function == AggregateFunction::kMax) &&
           !numeric_best) ||
          call.function == AggregateFunction::kLatestByOffset ||
          call.function == AggregateFunction::kEarliestByOffset;
    }
    return table_->Scan("", "", [&](std::string_view, std::string_view) {
      table_may_hold_groups_ = true;
      table_held_groups_at_attach_ = true;
      return false;
    });
  }
  Status status = Status::OK();
  WindowGroupCodec& group_codec = codec();
  RETURN_NOT_OK(table_->Scan("", "", [&](std::string_view key, std::string_view value) {
    if (key == "c" && value.size() == 8) {  // HOP panes: the watermark windows closed up to
      watermark_ = ReadTime(value);
      return true;
    }
    if (key == "p" && value.size() == 16) {  // a close in progress: its watermark, rows out
      resume_close_to_ = ReadTime(value.substr(0, 8));
      resume_skip_rows_ = ReadTime(value.substr(8, 8));
      progress_saved_ = true;
      return true;
    }
    Group group;
    const bool window_key = !key.empty() && key[0] == 'w' && key.size() >= 17;
    const bool session_key = !key.empty() && key[0] == 's' && key.size() >= 17;
    if (!window_key && !session_key) {
      status = Status::Storage("window aggregate state: unexpected key of " +
                               std::to_string(key.size()) + " bytes");
      return false;
    }
    uint64_t sequence = 0;
    if (window_key && IsChunkTableKey(key, &sequence)) {
      const std::pair<int64_t, int64_t> window{ReadTime(key.substr(1, 8)),
                                               ReadTime(key.substr(9, 8))};
      Groups& groups = windows_[window];
      ChunkLog& log = chunk_logs_[window];
      log.next_sequence = std::max(log.next_sequence, sequence + 1);
      // Chunks come in the order they were written: a later entry of a key supersedes.
      status = ForEachChunkEntry(value, [&](std::string_view group_key, std::string_view bytes) {
        Group chunk_group;
        RETURN_NOT_OK(group_codec.Decode(
            bytes, keep_key_values_ ? &chunk_group.mutable_key_values() : nullptr,
            chunk_group.accumulators, chunk_group.emitted));
        groups.try_emplace(group_key).first->second = std::move(chunk_group);
        ++log.entries;
        return Status::OK();
      });
      return status.ok();
    }
    status = group_codec.Decode(value, keep_key_values_ ? &group.mutable_key_values() : nullptr,
                                group.accumulators, group.emitted);
    if (!status.ok()) return false;
    if (window_key) {
      int64_t start = ReadTime(key.substr(1, 8));
      int64_t end = ReadTime(key.substr(9, 8));
      windows_[{start, end}].emplace(std::string(key.substr(17)), std::move(group));
      chunk_logs_[{start, end}].legacy = true;
    } else {
      std::string group_key(key.substr(1, key.size() - 17));
      Session session{ReadTime(key.substr(key.size() - 16, 8)),
                      ReadTime(key.substr(key.size() - 8, 8)), std::move(group)};
      sessions_[group_key].push_back(std::move(session));
      session_table_keys_[group_key].emplace_back(key);
    }
    return true;
  }));
  return status;
}

void WindowAggregateOperator::MarkDirty(Groups::value_type& entry, int64_t start, int64_t end) {
  if (entry.second.dirty) return;
  entry.second.dirty = true;
  const std::pair<int64_t, int64_t> window{start, end};
  if (dirty_run_ == nullptr || dirty_run_window_ != window) {
    dirty_run_ = &dirty_[window];
    dirty_run_window_ = window;
  }
  dirty_run_->push_back(&entry);
}

Status WindowAggregateOperator::PrepareCheckpoint() {
  if (table_ == nullptr) return Status::OK();
  if (cached_groups_ != nullptr) return PutDirtyCachedGroups();
  // The operator's memory holds its state: it reads its table again only when a new worker
  // restores it, so the checkpoint's writes need no read index (and closed windows go as range
  // deletes).
  table_->WriteWithoutReadsUntilCommit();
  RETURN_NOT_OK(WriteDirtyGroups());
  std::string key;
  std::string value;
  for (const auto& [group_key, unused] : dirty_sessions_) {
    std::vector<std::string>& persisted = session_table_keys_[group_key];
    for (const std::string& key : persisted) RETURN_NOT_OK(table_->Delete(key));
    persisted.clear();
    auto sessions = sessions_.find(group_key);
    if (sessions == sessions_.end()) {
      session_table_keys_.erase(group_key);
      continue;
    }
    for (const Session& session : sessions->second) {
      key = "s" + group_key;
      AppendTime(session.start, key);
      AppendTime(session.end, key);
      persisted.push_back(key);
      RETURN_NOT_OK(PutGroup(key, group_key, session.group, value));
    }
  }
  dirty_sessions_.clear();
  // A closed window's groups share the key prefix 'w' + start + end.
  for (const auto& [start, end] : closed_windows_) {
    std::string begin = WindowTableKey(start, end);
    std::string stop = begin;
    stop.push_back('\xff');  // group keys never start with 0xff: EncodeCell tags each cell
    RETURN_NOT_OK(table_->DeleteRange(begin, stop));
  }
  closed_windows_.clear();
  // Mid-close (AdvanceWatermarkSome), the windows being closed count as open, plus how many of
  // their rows went out.
  const int64_t closed_up_to = close_in_progress_ ? close_from_watermark_ : watermark_;
  if (pane_ms_ > 0 && closed_up_to != INT64_MIN) {
    // Panes outlive the windows that closed over them: a restored operator must not close those
    // windows again.
    value.clear();
    AppendTime(closed_up_to, value);
    RETURN_NOT_OK(table_->Put("c", value));
  }
  if (close_in_progress_) {
    value.clear();
    AppendTime(watermark_, value);
    AppendTime(close_rows_staged_, value);
    RETURN_NOT_OK(table_->Put("p", value));
    progress_saved_ = true;
  } else if (progress_saved_) {
    RETURN_NOT_OK(table_->Delete("p"));
    progress_saved_ = false;
  }
  return Status::OK();
}

Status WindowAggregateOperator::WriteDirtyGroups() {
  // Closed windows dropped their lists (AdvanceWatermarkSome): every window listed is open.
  std::map<std::pair<int64_t, int64_t>, std::vector<Groups::value_type*>> by_window;
  by_window.swap(dirty_);
  dirty_run_ = nullptr;
  std::vector<Groups::value_type*> all;
  for (auto& [window, entries] : by_window) {
    const auto found = windows_.find(window);
    if (found == windows_.end()) continue;  // not reached: a closed window's list is dropped
    const std::string window_key = WindowTableKey(window.first, window.second);
    ChunkLog& log = chunk_logs_[window];
    Groups& groups = found->second;
    for (Groups::value_type* entry : entries) entry->second.dirty = false;
    if (!log.legacy && log.entries + entries.size() <= 2 * groups.size() + kRewriteSlackEntries) {
      RETURN_NOT_OK(WriteChunks(window_key, entries, log));
      continue;
    }
    // Superseded entries outgrew the live groups (or the groups are per-key rows of an earlier
    // version): the window's keys go, its groups are written afresh.
    std::string stop = window_key;
    stop.push_back('\xff');  // group keys never start with 0xff: EncodeCell tags each cell
    RETURN_NOT_OK(table_->DeleteRange(window_key, stop));
    log.entries = 0;
    log.legacy = false;
    all.clear();
    all.reserve(groups.size());
    for (auto& entry : groups) all.push_back(&entry);
    RETURN_NOT_OK(WriteChunks(window_key, all, log));
  }
  return Status::OK();
}

Status WindowAggregateOperator::WriteChunks(const std::string& window_key,
                                            const std::vector<Groups::value_type*>& entries,
                                            ChunkLog& log) {
  std::string chunk;
  std::string value;
  auto put_chunk = [&]() {
    Status status = table_->Put(ChunkTableKey(window_key, log.next_sequence++), chunk);
    chunk.clear();
    return status;
  };
  for (Groups::value_type* entry : entries) {
    const auto& [group_key, group] = *entry;
    value.clear();
    codec().Encode(group_key, group.key_values(), group.accumulators, group.emitted, value);
    AppendChunkEntry(group_key, value, chunk);
    if (chunk.size() >= kChunkTargetBytes) RETURN_NOT_OK(put_chunk());
  }
  if (!chunk.empty()) RETURN_NOT_OK(put_chunk());
  log.entries += entries.size();
  return Status::OK();
}

}  // namespace sluice
