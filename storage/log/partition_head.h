#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "storage/log/file_util.h"

namespace sluice {

struct HeadState {
  int64_t base_offset = 0;            // active (last) segment
  int64_t end_position = 0;           // bytes of complete frames in it
  int64_t next_offset = 0;            // offset the next record gets
  int64_t index_bytes = 0;            // valid length of the active segment's index file
  int64_t last_indexed_position = 0;  // position of the newest index entry (0: none)

  bool operator==(const HeadState&) const = default;
};

// The partition head: the file `append.lock` in a partition directory. Writers hold an flock on
// it for the whole of an append, which serialises appends across processes; its first 48 bytes
// record where the last completed append left the log (HeadState). Readers read the state without
// the lock: it tells them which bytes some writer has vouched for, so a bad frame inside that
// range is corruption while one past it is a crashed writer's torn tail awaiting recovery.
//
// The state is a hint, never fsynced: writers check it against the segment file's size and
// recover from the files themselves when the two disagree.
class PartitionHead {
 public:
  // Opens (for writers: creates) `<partition_dir>/append.lock`.
  static Result<PartitionHead> OpenForWriter(const std::string& partition_dir);
  // Readers: a missing file is not an error; Read() then reports no state.
  static Result<PartitionHead> OpenForReader(const std::string& partition_dir);

  // nullopt when the file is missing, short, or fails its checksum.
  Result<std::optional<HeadState>> Read() const;
  // REQUIRES: the lock is held.
  Status Write(const HeadState& state);

  // Blocks until this process holds the exclusive append lock.
  Status Lock();
  Status Unlock();

  const std::string& path() const { return path_; }
  bool valid() const { return fd_.valid(); }

 private:
  PartitionHead(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  std::string path_;
  UniqueFd fd_;  // invalid for a reader whose partition has no head yet
};

// Holds the append lock for a scope. Unlock failures are ignored: closing the descriptor (or
// the process exiting) releases an flock anyway.
class HeadLock {
 public:
  explicit HeadLock(PartitionHead& head) : head_(head) {}
  ~HeadLock() {
    if (locked_) (void)head_.Unlock();
  }
  HeadLock(const HeadLock&) = delete;
  HeadLock& operator=(const HeadLock&) = delete;

  Status Acquire() {
    RETURN_NOT_OK(head_.Lock());
    locked_ = true;
    return Status::OK();
  }

 private:
  PartitionHead& head_;
  bool locked_ = false;
};

}  // namespace sluice
