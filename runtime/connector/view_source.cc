#include "runtime/connector/view_source.h"

#include <filesystem>

namespace sluice {

ViewSnapshotSource::ViewSnapshotSource(const SourceSpec& spec)
    : spec_(spec), decoder_(spec.relation_schema, spec.columns) {}

Result<std::unique_ptr<ViewSnapshotSource>> ViewSnapshotSource::Open(const SourceSpec& spec) {
  std::unique_ptr<ViewSnapshotSource> source(new ViewSnapshotSource(spec));
  auto dir = spec.properties.find("view.dir");
  auto secondary = spec.properties.find("view.secondary_dir");
  if (dir == spec.properties.end() || secondary == spec.properties.end()) {
    return Status::Internal("a view read names no view store");
  }
  std::error_code error;
  if (std::filesystem::exists(dir->second + "/CURRENT", error)) {
    ASSIGN_OR_RETURN(source->reader_, SharedViewStoreReader(dir->second, secondary->second));
  }
  return source;
}

Status ViewSnapshotSource::Read() {
  read_ = true;
  if (reader_ == nullptr) return Status::OK();
  auto point = spec_.properties.find("view.point_key");
  if (point != spec_.properties.end()) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, reader_->Get(point->second));
    if (value) rows_.push_back(std::move(*value));
    return Status::OK();
  }
  return reader_->Scan([&](std::string_view, std::string_view value) {
    rows_.emplace_back(value);
    return true;
  });
}

Status ViewSnapshotSource::Poll(size_t max_rows, RecordBatch& batch) {
  if (!read_) RETURN_NOT_OK(Read());
  while (batch.num_rows() < max_rows && next_row_ < static_cast<int64_t>(rows_.size())) {
    const int64_t row = next_row_++;
    ++stats_.records_in;
    RETURN_NOT_OK(decoder_.DecodeRow(rows_[static_cast<size_t>(row)], batch)
                      .WithContext("row " + std::to_string(row) + " of view " + spec_.relation));
    RecordMeta meta;
    meta.offset = row;
    batch.meta().push_back(meta);
    batch.keys().emplace_back();
  }
  return Status::OK();
}

Status ViewSnapshotSource::Seek(const std::vector<int64_t>& positions) {
  return Status::Internal("a view snapshot cannot seek");
}

}  // namespace sluice
