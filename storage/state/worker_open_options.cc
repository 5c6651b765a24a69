#include "storage/state/worker_open_options.h"

#include "storage/state/lazy_file_logger.h"

namespace sluice {

void ApplyWorkerOpenOptions(const std::string& dir, rocksdb::DBOptions& options) {
  // Opening SST files is done inline instead of by 16 threads started and joined per open; the
  // LOG gets warnings and errors, not a dump of every option of every column family (hundreds of
  // formatted lines per open and per new column family), and is only created when there is one
  // (a file creation per open saved); no periodic statistics dumps (their timer thread).
  options.max_file_opening_threads = 1;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.info_log = MakeLazyFileLogger(dir + "/LOG", options.info_log_level);
  options.stats_dump_period_sec = 0;
  options.stats_persist_period_sec = 0;
  // No preallocation (fallocate) of WAL, MANIFEST and SST files: it reserved 4 MiB for each
  // MANIFEST at every open and 1.1 x the write buffer for the WAL at the first write, block
  // allocations that the close gave back, about a sixth of a fresh store's open, first table and
  // first commit CPU; and a running query held those reserved blocks on disk. Files grow as they
  // are written; the syncs, and so durability, are the same.
  options.allow_fallocate = false;
}

}  // namespace sluice
