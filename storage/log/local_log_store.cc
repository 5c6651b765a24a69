#include "storage/log/local_log_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "storage/log/file_util.h"
#include "storage/log/partition_end.h"
#include "storage/log/partition_head.h"
#include "storage/log/segment.h"
#include "storage/log/topic_name.h"

namespace sluice {
namespace {

constexpr int32_t kMaxPartitions = 10000;
constexpr std::string_view kMetaMagic = "sluice-local-topic 1\n";
constexpr std::string_view kPartitionsKey = "partitions=";

std::string MetaPath(const std::string& topic_dir) { return topic_dir + "/topic.meta"; }

// A name no other process or call uses at the same time, for directories under staging/.
std::string UniqueStagingName(std::string_view topic, std::string_view purpose) {
  static std::atomic<uint64_t> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return fmt::format("{}.{}.{}.{}.{}", topic, purpose, ::getpid(), counter.fetch_add(1), now);
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) return Status::FromErrno("cannot create " + path, errno);
  return Status::OK();
}

Status WriteNewFile(const std::string& path, std::string_view contents) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_WRONLY | O_CREAT | O_EXCL));
  RETURN_NOT_OK(PwriteAll(fd.get(), contents.data(), contents.size(), 0, path));
  if (::fsync(fd.get()) != 0) return Status::FromErrno("cannot sync " + path, errno);
  return Status::OK();
}

// Builds a complete topic directory (meta, partitions with an empty first segment and a head)
// at `dir`, durable before it is renamed into place.
Status BuildTopicDir(const std::string& dir, int32_t partitions) {
  RETURN_NOT_OK(MakeDir(dir));
  for (int32_t partition = 0; partition < partitions; ++partition) {
    const std::string partition_dir = PartitionDir(dir, partition);
    RETURN_NOT_OK(MakeDir(partition_dir));
    RETURN_NOT_OK(WriteNewFile(SegmentPath(partition_dir, 0), ""));
    ASSIGN_OR_RETURN(PartitionHead head, PartitionHead::OpenForWriter(partition_dir));
    RETURN_NOT_OK(head.Write(HeadState{}));
    RETURN_NOT_OK(SyncDir(partition_dir));
  }
  RETURN_NOT_OK(
      WriteNewFile(MetaPath(dir), fmt::format("{}{}{}\n", kMetaMagic, kPartitionsKey, partitions)));
  return SyncDir(dir);
}

// The pid inside a staging name "<topic>.<purpose>.<pid>.<counter>.<time>", or -1.
int64_t StagingOwner(std::string_view name) {
  for (int field = 0; field < 2; ++field) {  // drop <time> and <counter>
    const size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) return -1;
    name = name.substr(0, dot);
  }
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return -1;
  std::string_view digits = name.substr(dot + 1);
  int64_t pid = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  return ec == std::errc() && end == digits.data() + digits.size() ? pid : -1;
}

Result<int32_t> ParseMeta(std::string_view text, const std::string& path) {
  auto bad = [&] { return Status::Storage("topic metadata " + path + " is damaged"); };
  if (!text.starts_with(kMetaMagic)) return bad();
  text.remove_prefix(kMetaMagic.size());
  if (!text.starts_with(kPartitionsKey)) return bad();
  text.remove_prefix(kPartitionsKey.size());
  int32_t partitions = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), partitions);
  if (ec != std::errc() || partitions < 1) return bad();
  return partitions;
}

}  // namespace

Result<std::unique_ptr<LocalLogStore>> LocalLogStore::Open(std::string root, LogOptions options) {
  RETURN_NOT_OK(ValidateLogOptions(options));
  for (const char* sub : {"topics", "staging"}) {
    std::error_code ec;
    std::filesystem::create_directories(root + "/" + sub, ec);
    if (ec) return Status::Storage("cannot create " + root + "/" + sub + ": " + ec.message());
  }
  return std::unique_ptr<LocalLogStore>(new LocalLogStore(std::move(root), options));
}

Status LocalLogStore::RemoveAbandonedStaging() {
  const std::string staging = root_ + "/staging";
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(staging));
  for (const std::string& name : names) {
    const int64_t pid = StagingOwner(name);
    if (pid <= 0) continue;
    // /proc rather than kill(2): sandboxed workers may not be allowed to signal.
    ASSIGN_OR_RETURN(bool alive, PathExists("/proc/" + std::to_string(pid)));
    if (!alive) RETURN_NOT_OK(RemoveTree(staging + "/" + name));
  }
  return Status::OK();
}

std::string LocalLogStore::TopicDir(std::string_view topic) const {
  return root_ + "/topics/" + std::string(topic);
}

Status LocalLogStore::CreateTopic(std::string_view topic, int32_t partitions) {
  RETURN_NOT_OK(ValidateTopicName(topic));
  if (partitions < 1 || partitions > kMaxPartitions) {
    return Status::Storage(
        fmt::format("topic \"{}\": partition count must be between 1 and {}, "
                    "got {}",
                    topic, kMaxPartitions, partitions));
  }
  auto compare = [&](const TopicInfo& existing) {
    if (existing.partitions == partitions) return Status::OK();
    return Status::Storage(fmt::format("topic \"{}\" already exists with {} partitions, not {}",
                                       topic, existing.partitions, partitions));
  };
  ASSIGN_OR_RETURN(bool exists, TopicExists(topic));
  if (exists) {
    ASSIGN_OR_RETURN(TopicInfo existing, GetTopicInfo(topic));
    return compare(existing);
  }

  // Build the whole topic aside and rename it into place: other processes see all of it or
  // none, and of two concurrent creators exactly one rename wins.
  const std::string staging = root_ + "/staging/" + UniqueStagingName(topic, "create");
  Status built = BuildTopicDir(staging, partitions);
  if (!built.ok()) {
    (void)RemoveTree(staging);
    return built;
  }
  const std::string target = TopicDir(topic);
  if (::rename(staging.c_str(), target.c_str()) != 0) {
    const int err = errno;
    (void)RemoveTree(staging);
    if (err != EEXIST && err != ENOTEMPTY) {
      return Status::FromErrno("cannot create topic directory " + target, err);
    }
    ASSIGN_OR_RETURN(TopicInfo existing, GetTopicInfo(topic));
    return compare(existing);
  }
  return SyncDir(root_ + "/topics");
}

Result<bool> LocalLogStore::TopicExists(std::string_view topic) const {
  RETURN_NOT_OK(ValidateTopicName(topic));
  return PathExists(MetaPath(TopicDir(topic)));
}

Result<TopicInfo> LocalLogStore::GetTopicInfo(std::string_view topic) const {
  RETURN_NOT_OK(ValidateTopicName(topic));
  const std::string path = MetaPath(TopicDir(topic));
  Result<UniqueFd> fd = OpenFile(path, O_RDONLY);
  if (!fd.ok()) {
    ASSIGN_OR_RETURN(bool exists, PathExists(path));
    if (!exists) {
      return Status::Storage(fmt::format("topic \"{}\" does not exist in the local store", topic));
    }
    return fd.status();
  }
  char text[128];
  ASSIGN_OR_RETURN(size_t got, PreadUpTo(fd->get(), text, sizeof(text), 0, path));
  ASSIGN_OR_RETURN(int32_t partitions, ParseMeta(std::string_view(text, got), path));
  return TopicInfo{std::string(topic), partitions};
}

Result<std::vector<std::string>> LocalLogStore::ListTopics() const {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(root_ + "/topics"));
  std::vector<std::string> topics;
  for (std::string& name : names) {
    if (!ValidateTopicName(name).ok()) continue;
    ASSIGN_OR_RETURN(bool has_meta, PathExists(MetaPath(TopicDir(name))));
    if (has_meta) topics.push_back(std::move(name));
  }
  std::sort(topics.begin(), topics.end());
  return topics;
}

Status LocalLogStore::DeleteTopic(std::string_view topic) {
  RETURN_NOT_OK(ValidateTopicName(topic));
  // Rename first so the topic vanishes at once for everyone; the files go afterwards.
  const std::string doomed = root_ + "/staging/" + UniqueStagingName(topic, "delete");
  const std::string source = TopicDir(topic);
  if (::rename(source.c_str(), doomed.c_str()) != 0) {
    if (errno == ENOENT) {
      return Status::Storage(fmt::format("topic \"{}\" does not exist in the local store", topic));
    }
    return Status::FromErrno("cannot delete topic directory " + source, errno);
  }
  RETURN_NOT_OK(SyncDir(root_ + "/topics"));
  return RemoveTree(doomed);
}

Result<std::vector<int64_t>> LocalLogStore::EndOffsets(std::string_view topic) const {
  ASSIGN_OR_RETURN(TopicInfo info, GetTopicInfo(topic));
  std::vector<int64_t> ends;
  ends.reserve(static_cast<size_t>(info.partitions));
  const std::string topic_dir = TopicDir(topic);
  for (int32_t partition = 0; partition < info.partitions; ++partition) {
    ASSIGN_OR_RETURN(int64_t end, FindPartitionEnd(PartitionDir(topic_dir, partition)));
    ends.push_back(end);
  }
  return ends;
}

Status LocalLogStore::CheckPartition(std::string_view topic, int32_t partition) const {
  ASSIGN_OR_RETURN(TopicInfo info, GetTopicInfo(topic));
  if (partition < 0 || partition >= info.partitions) {
    return Status::Storage(fmt::format("topic \"{}\" has no partition {} (it has {})", topic,
                                       partition, info.partitions));
  }
  return Status::OK();
}

Result<std::unique_ptr<PartitionWriter>> LocalLogStore::OpenPartitionWriter(
    std::string_view topic, int32_t partition) const {
  RETURN_NOT_OK(CheckPartition(topic, partition));
  return PartitionWriter::Open(PartitionDir(TopicDir(topic), partition), options_);
}

Result<std::unique_ptr<PartitionWriter>> LocalLogStore::OpenStagedPartitionWriter(
    std::string_view topic, int32_t partition, int64_t committed_end) const {
  RETURN_NOT_OK(CheckPartition(topic, partition));
  return PartitionWriter::OpenStaged(PartitionDir(TopicDir(topic), partition), committed_end,
                                     options_);
}

Result<std::unique_ptr<TopicWriter>> LocalLogStore::OpenTopicWriter(std::string_view topic) const {
  ASSIGN_OR_RETURN(TopicInfo info, GetTopicInfo(topic));
  return std::make_unique<TopicWriter>(TopicDir(topic), info.partitions, options_);
}

Result<std::unique_ptr<PartitionReader>> LocalLogStore::OpenReader(std::string_view topic,
                                                                   int32_t partition,
                                                                   int64_t offset) const {
  RETURN_NOT_OK(CheckPartition(topic, partition));
  return PartitionReader::Open(PartitionDir(TopicDir(topic), partition), offset, options_);
}

Result<std::vector<OwnedLogRecord>> LocalLogStore::ReadRecords(std::string_view topic,
                                                               int32_t partition, int64_t offset,
                                                               size_t max_records) const {
  ASSIGN_OR_RETURN(std::unique_ptr<PartitionReader> reader, OpenReader(topic, partition, offset));
  ASSIGN_OR_RETURN(const int64_t end, FindPartitionEnd(PartitionDir(TopicDir(topic), partition)));
  std::vector<OwnedLogRecord> records;
  std::vector<LogRecordView> views;
  while (records.size() < max_records && reader->position() < end) {
    const size_t want = std::min<size_t>(max_records - records.size(),
                                         static_cast<size_t>(end - reader->position()));
    RETURN_NOT_OK(reader->Poll(want, views));
    if (views.empty()) break;
    for (const LogRecordView& view : views) records.push_back(OwnedLogRecord::CopyOf(view));
  }
  return records;
}

}  // namespace sluice
