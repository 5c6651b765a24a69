// See repartition_end.h.

#include "runtime/connector/repartition_end.h"

#include <vector>

#include "runtime/connector/repartition_sink.h"

namespace sluice {

Result<int32_t> EndMarkAt(const LocalLogStore& store, const std::string& topic, int32_t partition,
                          int64_t offset) {
  if (offset < 0) return -1;
  ASSIGN_OR_RETURN(std::vector<OwnedLogRecord> records,
                   store.ReadRecords(topic, partition, offset, 1));
  if (records.empty() || records[0].offset != offset || records[0].value.has_value()) return -1;
  for (const auto& [name, value] : records[0].headers) {
    if (name != kRepartitionEndHeader) continue;
    int32_t writer = 0;
    for (char digit : value) writer = writer * 10 + (digit - '0');
    return writer;
  }
  return -1;
}

}  // namespace sluice
