#include "runtime/connector/view_sink.h"

#include "common/big_endian.h"
#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

ViewSink::ViewSink(SinkSpec spec, std::unique_ptr<LocalLogSink> changelog,
                   std::unique_ptr<ViewStoreWriter> store)
    : spec_(std::move(spec)),
      changelog_(std::move(changelog)),
      store_(std::move(store)),
      encoder_(spec_.schema) {}

Result<std::unique_ptr<ViewSink>> ViewSink::Open(const SinkSpec& spec,
                                                 const std::string& data_dir) {
  auto dir = spec.properties.find("view.dir");
  if (dir == spec.properties.end() || dir->second.empty()) {
    return Status::Internal("the plan of view " + spec.relation + " names no view store");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<LocalLogSink> changelog,
                   LocalLogSink::Open(spec, data_dir + "/log"));
  ASSIGN_OR_RETURN(std::unique_ptr<ViewStoreWriter> store, ViewStoreWriter::Open(dir->second));
  return std::unique_ptr<ViewSink>(new ViewSink(spec, std::move(changelog), std::move(store)));
}

ViewSink::Standing ViewSink::Compare(const ViewPositions& current) const {
  const ViewPositions& applied = store_->positions();
  // A new store, or a topic or partition count it does not know: not a replay of it.
  Standing standing{.replaying = !applied.empty(), .caught_up = true};
  for (const auto& [topic, offsets] : current) {
    auto found = applied.find(topic);
    if (found == applied.end() || found->second.size() != offsets.size()) {
      standing.replaying = false;
      continue;
    }
    for (size_t partition = 0; partition < offsets.size(); ++partition) {
      if (offsets[partition] > found->second[partition]) standing.replaying = false;
      if (offsets[partition] < found->second[partition]) standing.caught_up = false;
    }
  }
  return standing;
}

void ViewSink::AppendKey(const RecordBatch& batch, size_t row, std::string& key) const {
  key.clear();
  if (spec_.key_columns.empty()) {
    // Big-endian partition then offset: rows of a keyless view sort in arrival order.
    const RecordMeta& meta = batch.meta()[row];
    AppendBigEndian(static_cast<uint32_t>(meta.partition), 4, key);
    AppendBigEndian(static_cast<uint64_t>(meta.offset), 8, key);
    return;
  }
  for (int column : spec_.key_columns) {
    EncodeCell(batch.column(static_cast<size_t>(column)), row, key);
  }
}

Status ViewSink::Write(const RecordBatch& batch) {
  RETURN_NOT_OK(changelog_->Write(batch));
  if (!positions_ || caught_up_) {
    Apply(batch, /*hold=*/false);
    return Status::OK();
  }
  // Positions are read after the batch was polled: they cover every record that made it.
  const ViewPositions current = positions_();
  if (spec_.key_columns.empty()) {
    // A keyless view's rows never change: a replayed one is in the store already.
    if (!Compare(current).replaying) Apply(batch, /*hold=*/false);
    return Status::OK();
  }
  // A key's row written while the replay is behind the store in some partition would lack input
  // the store's value reflects: hold it, and apply the latest once the replay passed everywhere.
  Apply(batch, /*hold=*/true);
  CatchUp(current);
  return Status::OK();
}

bool ViewSink::CatchUp(const ViewPositions& current) {
  if (caught_up_) return true;
  if (!Compare(current).caught_up) return false;
  caught_up_ = true;
  for (const auto& [key, value] : held_) {
    if (value) {
      store_->Put(key, *value);
    } else {
      store_->Delete(key);
    }
  }
  held_.clear();
  return true;
}

void ViewSink::Apply(const RecordBatch& batch, bool hold) {
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    AppendKey(batch, row, key_);
    if (batch.meta()[row].kind == RowKind::kDelete) {
      if (hold) {
        held_[key_].reset();
      } else {
        store_->Delete(key_);
      }
      continue;
    }
    value_.clear();
    encoder_.EncodeRow(batch, row, value_);
    if (hold) {
      held_[key_] = value_;
    } else {
      store_->Put(key_, value_);
    }
  }
}

Status ViewSink::Flush() {
  RETURN_NOT_OK(changelog_->Flush());
  if (!positions_) return store_->Commit(store_->positions());
  ViewPositions current = positions_();
  // During a replay the store stays at its own (later) positions.
  if (spec_.key_columns.empty() ? Compare(current).replaying : !CatchUp(current)) {
    return Status::OK();
  }
  return store_->Commit(current);
}

}  // namespace sluice
