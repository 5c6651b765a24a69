// See changelog_routes.h.

#include "runtime/connector/changelog_routes.h"

#include "common/big_endian.h"

namespace sluice {

namespace {

constexpr std::string_view kTableName = "routes";

void AppendInt32(int32_t value, std::string& out) {
  AppendBigEndian(static_cast<uint32_t>(value), 4, out);
}

int32_t ReadInt32(std::string_view bytes) {
  return static_cast<int32_t>(static_cast<uint32_t>(ReadBigEndian(bytes, 4)));
}

}  // namespace

void ChangelogRoutes::MarkDirty(std::string_view key, KeyRoute& route) {
  if (table_ == nullptr || route.dirty) return;
  route.dirty = true;
  dirty_.emplace_back(key);
}

Result<ChangelogRoutes::Sends> ChangelogRoutes::Route(std::string_view key, int32_t worker,
                                                      int32_t partition, bool deleted) {
  auto found = routes_.find(key);
  Sends sends;
  if (found != routes_.end() && found->second.partition != partition) {
    return Status::Connector(
        "versions of one key were read from partitions " + std::to_string(found->second.partition) +
        " and " + std::to_string(partition) +
        ": with 'parallelism' > 1 every version of a changelog's key must be in one partition "
        "(produce its records keyed by its key columns), or use 'parallelism'=1");
  }
  if (deleted) {
    if (found == routes_.end()) return sends;  // never sent: nothing to retract anywhere
    sends.send_to = found->second.worker;
    // Listed before it goes, so the checkpoint deletes it from the table.
    MarkDirty(key, found->second);
    routes_.erase(found);
    return sends;
  }
  sends.send_to = worker;
  if (found == routes_.end()) {
    found = routes_.try_emplace(key).first;
    found->second.partition = partition;
  } else if (found->second.worker != worker) {
    sends.retract_from = found->second.worker;
  } else {
    return sends;  // same worker: its aggregate replaces the key's row itself
  }
  found->second.worker = worker;
  MarkDirty(key, found->second);
  return sends;
}

Status ChangelogRoutes::AttachState(StateStore& store) {
  ASSIGN_OR_RETURN(table_, store.Table(kTableName));
  Status corrupt;
  RETURN_NOT_OK(table_->Scan("", "", [&](std::string_view key, std::string_view value) {
    if (value.size() != 8) {
      corrupt = Status::Storage("corrupt changelog route in the repartition stage's state");
      return false;
    }
    KeyRoute& route = routes_.try_emplace(key).first->second;
    route.worker = ReadInt32(value);
    route.partition = ReadInt32(value.substr(4));
    return true;
  }));
  return corrupt;
}

Status ChangelogRoutes::PrepareCheckpoint() {
  if (table_ == nullptr || dirty_.empty()) return Status::OK();
  // Only AttachState reads the table: the writes need no read index.
  table_->WriteWithoutReadsUntilCommit();
  std::string value;
  for (const std::string& key : dirty_) {
    auto found = routes_.find(key);
    if (found == routes_.end()) {
      RETURN_NOT_OK(table_->Delete(key));
      continue;
    }
    if (!found->second.dirty) continue;  // listed twice: written already
    found->second.dirty = false;
    value.clear();
    AppendInt32(found->second.worker, value);
    AppendInt32(found->second.partition, value);
    RETURN_NOT_OK(table_->Put(key, value));
  }
  dirty_.clear();
  return Status::OK();
}

}  // namespace sluice
