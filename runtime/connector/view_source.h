#pragma once
// Reads a materialized view's current contents as a bounded source: the snapshot read of
// `SELECT ... FROM view`. The whole read comes from one consistent point of the store (one
// iterator), so it never shows half of an update. With a point key (every key column compared
// to a constant in WHERE) it does one Get instead of a scan.
//
// spec.properties: "view.dir" (the store), "view.secondary_dir" (the engine's secondary files),
// optionally "view.point_key" (encoded key bytes).

#include <memory>
#include <string>
#include <vector>

#include "common/json_codec.h"
#include "runtime/connector/source.h"
#include "runtime/plan/physical_plan.h"
#include "storage/view/view_store.h"

namespace sluice {

class ViewSnapshotSource final : public Source {
 public:
  // A view whose worker has not created its store yet reads as empty.
  static Result<std::unique_ptr<ViewSnapshotSource>> Open(const SourceSpec& spec);
  Status Poll(size_t max_rows, RecordBatch& batch) override;
  void WaitForData(int timeout_ms) override { (void)timeout_ms; }
  std::vector<int64_t> positions() const override { return {next_row_}; }
  std::vector<int64_t> end_offsets() const override { return {next_row_}; }
  Status Seek(const std::vector<int64_t>& positions) override;
  bool exhausted() const override {
    return read_ && next_row_ >= static_cast<int64_t>(rows_.size());
  }
  const std::string& topic() const override { return spec_.topic; }
  const SourceStats& stats() const override { return stats_; }

 private:
  explicit ViewSnapshotSource(const SourceSpec& spec);
  // Copies the snapshot's values (a Get or one scan) on the first poll.
  Status Read();

  SourceSpec spec_;
  std::shared_ptr<ViewStoreReader> reader_;  // null: the store does not exist yet
  JsonRecordDecoder decoder_;
  std::vector<std::string> rows_;  // encoded values, in key order
  bool read_ = false;
  int64_t next_row_ = 0;
  SourceStats stats_;
};

}  // namespace sluice
