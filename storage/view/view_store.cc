#include "storage/view/view_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "storage/state/worker_open_options.h"

namespace sluice {
namespace {

// Rows live under 'r' + key, the positions under one meta key: a full scan is the 'r' range.
constexpr char kRowPrefix = 'r';
constexpr std::string_view kPositionsKey = "m.positions";

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  return Status::Storage(std::string(what) + ": " + status.ToString());
}

std::string RowKey(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 1);
  out.push_back(kRowPrefix);
  out.append(key);
  return out;
}

// "topic\toffset,offset,...\n" per topic (topic names hold no tab or newline).
std::string EncodePositions(const ViewPositions& positions) {
  std::string out;
  for (const auto& [topic, offsets] : positions) {
    out += topic;
    out += '\t';
    for (size_t partition = 0; partition < offsets.size(); ++partition) {
      if (partition > 0) out += ',';
      out += std::to_string(offsets[partition]);
    }
    out += '\n';
  }
  return out;
}

Result<ViewPositions> DecodePositions(std::string_view text) {
  ViewPositions positions;
  while (!text.empty()) {
    size_t end = text.find('\n');
    size_t tab = text.find('\t');
    if (end == std::string_view::npos || tab == std::string_view::npos || tab > end) {
      return Status::Storage("view store: corrupt positions entry");
    }
    std::vector<int64_t>& offsets = positions[std::string(text.substr(0, tab))];
    std::string_view list = text.substr(tab + 1, end - tab - 1);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view number = list.substr(0, comma);
      int64_t value = 0;
      auto parsed = std::from_chars(number.data(), number.data() + number.size(), value);
      if (parsed.ec != std::errc()) return Status::Storage("view store: corrupt positions entry");
      offsets.push_back(value);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    text.remove_prefix(end + 1);
  }
  return positions;
}

rocksdb::Options StoreOptions() {
  rocksdb::Options options;
  // A view store is written by one worker next to its state store; 2 cores are shared.
  options.max_background_jobs = 1;
  options.keep_log_file_num = 2;
  return options;
}

}  // namespace

std::string ViewStoreDir(const std::string& query_state_dir) { return query_state_dir + "/view"; }

// --- writer ---------------------------------------------------------------------------------

struct ViewStoreWriter::Impl {
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::WriteBatch batch;
  ~Impl() {
    if (db != nullptr) (void)db->Close();
  }
};

ViewStoreWriter::ViewStoreWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ViewStoreWriter::~ViewStoreWriter() = default;

Result<std::unique_ptr<ViewStoreWriter>> ViewStoreWriter::Open(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status::Storage("cannot create view store " + dir + ": " + error.message());
  rocksdb::Options options = StoreOptions();
  options.create_if_missing = true;
  // The view's worker opens it at every start; the engine's secondary instance (the reader
  // below) keeps RocksDB's defaults, its info log being in its own directory.
  ApplyWorkerOpenOptions(dir, options);
  auto impl = std::make_unique<Impl>();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(options, dir, &raw);
  if (!opened.ok()) return FromRocks(opened, "cannot open view store " + dir);
  impl->db.reset(raw);
  std::unique_ptr<ViewStoreWriter> writer(new ViewStoreWriter(std::move(impl)));
  std::string saved;
  rocksdb::Status read =
      writer->impl_->db->Get(rocksdb::ReadOptions(), std::string(kPositionsKey), &saved);
  if (read.ok()) {
    ASSIGN_OR_RETURN(writer->positions_, DecodePositions(saved));
  } else if (!read.IsNotFound()) {
    return FromRocks(read, "cannot read view store positions");
  }
  return writer;
}

void ViewStoreWriter::Put(std::string_view key, std::string_view value) {
  (void)impl_->batch.Put(RowKey(key), rocksdb::Slice(value.data(), value.size()));
  ++staged_;
}

void ViewStoreWriter::Delete(std::string_view key) {
  (void)impl_->batch.Delete(RowKey(key));
  ++staged_;
}

Status ViewStoreWriter::Commit(const ViewPositions& positions) {
  if (staged_ == 0 && positions == positions_) return Status::OK();
  std::string encoded = EncodePositions(positions);
  (void)impl_->batch.Put(std::string(kPositionsKey), encoded);
  // Not synced: the updates and their positions reach the WAL in one record, so whatever part of
  // the log survives a crash is consistent; a process crash (the common case) loses nothing.
  rocksdb::Status written = impl_->db->Write(rocksdb::WriteOptions(), &impl_->batch);
  impl_->batch.Clear();
  staged_ = 0;
  if (!written.ok()) return FromRocks(written, "cannot write view store");
  positions_ = positions;
  return Status::OK();
}

// --- reader ---------------------------------------------------------------------------------

struct ViewStoreReader::Impl {
  std::unique_ptr<rocksdb::DB> db;
  ~Impl() {
    if (db != nullptr) (void)db->Close();
  }
};

ViewStoreReader::ViewStoreReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ViewStoreReader::~ViewStoreReader() {
  {
    std::lock_guard<std::mutex> lock(refresher_mutex_);
    stopping_ = true;
  }
  refresher_wake_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

void ViewStoreReader::StartRefreshing(std::chrono::milliseconds interval) {
  if (refresher_.joinable()) return;
  refresher_ = std::thread([this, interval]() {
    std::unique_lock<std::mutex> lock(refresher_mutex_);
    while (!stopping_) {
      lock.unlock();
      // A failed catch-up (the worker between files) is retried at the next tick.
      (void)Refresh();
      lock.lock();
      refresher_wake_.wait_for(lock, interval, [this]() { return stopping_; });
    }
  });
}

Result<std::unique_ptr<ViewStoreReader>> ViewStoreReader::Open(const std::string& dir,
                                                               const std::string& secondary_dir) {
  std::error_code error;
  std::filesystem::create_directories(secondary_dir, error);
  if (error) {
    return Status::Storage("cannot create " + secondary_dir + ": " + error.message());
  }
  rocksdb::Options options = StoreOptions();
  options.max_open_files = -1;  // required by secondary instances
  auto impl = std::make_unique<Impl>();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::OpenAsSecondary(options, dir, secondary_dir, &raw);
  if (!opened.ok()) return FromRocks(opened, "cannot open view store " + dir);
  impl->db.reset(raw);
  return std::unique_ptr<ViewStoreReader>(new ViewStoreReader(std::move(impl)));
}

Status ViewStoreReader::Refresh() {
  std::lock_guard<std::mutex> lock(catch_up_mutex_);
  rocksdb::Status status = impl_->db->TryCatchUpWithPrimary();
  if (!status.ok()) return FromRocks(status, "cannot catch up with the view's worker");
  return Status::OK();
}

Result<std::optional<std::string>> ViewStoreReader::Get(std::string_view key) {
  point_reads_.fetch_add(1);
  std::string value;
  rocksdb::Status status = impl_->db->Get(rocksdb::ReadOptions(), RowKey(key), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocks(status, "cannot read view store");
  return std::optional<std::string>(std::move(value));
}

Status ViewStoreReader::Scan(
    const std::function<bool(std::string_view key, std::string_view value)>& visit) {
  scans_.fetch_add(1);
  // The iterator pins one sequence number: later catch-ups do not change what it sees.
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(1, kRowPrefix)); it->Valid(); it->Next()) {
    rocksdb::Slice key = it->key();
    if (key.empty() || key[0] != kRowPrefix) break;
    rocksdb::Slice value = it->value();
    if (!visit(std::string_view(key.data() + 1, key.size() - 1),
               std::string_view(value.data(), value.size()))) {
      break;
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot scan view store");
  return Status::OK();
}

Result<int64_t> ViewStoreReader::ApproximateRows() {
  uint64_t keys = 0;
  if (!impl_->db->GetIntProperty("rocksdb.estimate-num-keys", &keys)) return int64_t{0};
  // One meta entry besides the rows.
  return keys > 0 ? static_cast<int64_t>(keys) - 1 : 0;
}

// --- shared readers -------------------------------------------------------------------------

namespace {

std::mutex& ReadersMutex() {
  static std::mutex mutex;
  return mutex;
}

std::map<std::string, std::shared_ptr<ViewStoreReader>>& Readers() {
  static auto* readers = new std::map<std::string, std::shared_ptr<ViewStoreReader>>();
  return *readers;
}

// Readers' refresh threads must stop before the process tears down RocksDB's own statics;
// registered after RocksDB is initialised, this runs before those are destroyed.
void CloseAllReaders() {
  std::map<std::string, std::shared_ptr<ViewStoreReader>> closing;
  {
    std::lock_guard<std::mutex> lock(ReadersMutex());
    closing.swap(Readers());
  }
}

}  // namespace

Result<std::shared_ptr<ViewStoreReader>> SharedViewStoreReader(const std::string& dir,
                                                               const std::string& secondary_dir) {
  std::lock_guard<std::mutex> lock(ReadersMutex());
  auto found = Readers().find(dir);
  if (found != Readers().end()) return found->second;
  ASSIGN_OR_RETURN(std::unique_ptr<ViewStoreReader> reader,
                   ViewStoreReader::Open(dir, secondary_dir));
  static const bool registered = std::atexit(CloseAllReaders) == 0;
  (void)registered;
  std::shared_ptr<ViewStoreReader> shared(std::move(reader));
  shared->StartRefreshing(kViewRefreshInterval);
  Readers()[dir] = shared;
  return shared;
}

void ForgetViewStoreReader(const std::string& dir) {
  std::lock_guard<std::mutex> lock(ReadersMutex());
  Readers().erase(dir);
}

Status RefreshViewStoreReaders() {
  std::vector<std::shared_ptr<ViewStoreReader>> readers;
  {
    std::lock_guard<std::mutex> lock(ReadersMutex());
    for (const auto& [dir, reader] : Readers()) readers.push_back(reader);
  }
  for (const auto& reader : readers) RETURN_NOT_OK(reader->Refresh());
  return Status::OK();
}

}  // namespace sluice
