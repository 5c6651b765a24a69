#pragma once
// Stage 1 of a repartitioned GROUP BY over a changelog ('parallelism'=N, docs/kafka.md "GROUP BY
// with parallelism N"): the stage-2 worker each primary key's current row was last sent to, so an
// update that moves the key to another group's worker first retracts it where it was. Every
// version of a key is in one source partition (records keyed by the changelog's key columns), so
// the one stage-1 worker reading that partition sees them all and its table is the whole truth
// about the key. The table is checkpointed with that worker's source positions and
// repartition-topic ends (one state-store commit), so after a crash it matches what stage 2 was
// sent.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/operator/window_group_map.h"
#include "runtime/pipeline/checkpointed_stage.h"

namespace sluice {

class ChangelogRoutes final : public CheckpointedStage {
 public:
  // What one row of the changelog sends to stage 2.
  struct Sends {
    int32_t retract_from = -1;  // first a delete of the key to this worker (-1: none)
    int32_t send_to = -1;       // then the row to this worker (-1: nothing, a delete of a key
                                // never sent: no worker counts it)
  };

  // An upsert of encoded primary key `key` whose group belongs to stage-2 worker `worker`, or a
  // delete (`deleted`: sent to the key's last worker, then the key is forgotten), read from source
  // partition `partition`. An error when the key's earlier versions came from another partition:
  // another stage-1 worker may then route the key too, and count it in a second group.
  Result<Sends> Route(std::string_view key, int32_t worker, int32_t partition, bool deleted);

  // Table "routes": encoded primary key -> worker and source partition (4 bytes each).
  Status AttachState(StateStore& store) override;
  // Writes the keys routed since the last checkpoint (deletes for forgotten ones).
  Status PrepareCheckpoint() override;
  void SaveMetadata(std::map<std::string, std::string>& metadata) const override { (void)metadata; }
  void RestoreMetadata(const std::map<std::string, std::string>& metadata) override {
    (void)metadata;
  }
  size_t keys() const { return routes_.size(); }

 private:
  struct KeyRoute {
    int32_t worker = 0;
    int32_t partition = 0;
    bool dirty = false;  // listed in dirty_ since the last checkpoint
  };
  void MarkDirty(std::string_view key, KeyRoute& route);

  WindowGroupMap<KeyRoute> routes_;
  // Keys changed since the last checkpoint (a key may repeat: written once per listing).
  std::vector<std::string> dirty_;
  StateTable* table_ = nullptr;  // null until AttachState (in memory only)
};

}  // namespace sluice
