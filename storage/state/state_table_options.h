#pragma once
// The block-based table (SST file) format of a state store's tables. Each SST file records the
// checksum type its blocks were written with (in its footer), and RocksDB verifies every file
// with its own: changing the type here changes new files only, and stores written with another
// type still open and read.

#include <rocksdb/table.h>

namespace sluice {

// Bloom filters, and XXH3 block checksums (not CRC32C: the packaged RocksDB is built portable,
// so its CRC32C runs a table loop instead of the SSE4.2 instruction).
rocksdb::BlockBasedTableOptions StateTableOptions();

}  // namespace sluice
