#pragma once
// The end of a bounded read with 'parallelism'=N ('ending.position'='latest', docs/kafka.md
// "Parallelism"): a stage-1 writer that has read its share of the source to the fixed end appends
// an end mark (kRepartitionEndHeader, repartition_sink.h) to each of its partitions of the
// repartition topic, and never appends anything after it, not even when restarted. So a stage-2
// reader ends once it has read the end mark of every partition it reads, and a stage-2 worker
// restarted past an end mark finds it as the record just before its position.

#include <cstdint>
#include <string>

#include "common/status.h"
#include "storage/log/local_log_store.h"

namespace sluice {

// The writer the end mark at `offset` of `topic`'s `partition` names, or -1 when the record there
// is no end mark (or `offset` is negative or past the partition's end).
Result<int32_t> EndMarkAt(const LocalLogStore& store, const std::string& topic, int32_t partition,
                          int64_t offset);

}  // namespace sluice
