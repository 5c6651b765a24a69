#include "storage/state/state_table_options.h"

#include <rocksdb/filter_policy.h>

namespace sluice {

rocksdb::BlockBasedTableOptions StateTableOptions() {
  rocksdb::BlockBasedTableOptions options;
  // Bloom filters: a GROUP BY with a cache budget looks up every key it does not hold, most of
  // them new, and a filter answers "not there" without reading a block.
  options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Every block written at a flush or compaction, and every block read back that the block cache
  // misses, is checksummed. XXH3 is RocksDB 7.8's default; it is set here so that the format of
  // new files does not depend on the library version the engine is built against.
  options.checksum = rocksdb::kXXH3;
  return options;
}

}  // namespace sluice
