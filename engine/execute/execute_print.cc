// PRINT TOPIC: the raw records of a local topic with partition, offset, timestamp and key. Without
// LIMIT it keeps following the topic until the client cancels.

#include <chrono>
#include <memory>
#include <vector>

#include "common/value.h"
#include "engine/execute/statement_executor.h"

namespace sluice {

Status StatementExecutor::PrintTopic(const PrintTopicStatement& statement) {
  if (statement.store && statement.store->name != "local") {
    return Status::Binder("PRINT TOPIC reads only the 'local' store so far",
                          statement.store->position);
  }
  const std::string& topic = statement.topic.name;
  Result<TopicInfo> info = engine_.log().GetTopicInfo(topic);
  bool readable = info.ok();
  if (readable) {
    // Raw records bypass the relation: they take SELECT on a relation over the topic (or
    // MANAGE_GRANTS), and a topic the role may not read reads as missing.
    std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
    ASSIGN_OR_RETURN(readable, CanReadTopic(topic, /*select=*/true));
  }
  if (!readable) {
    return Status::Catalog("topic '" + topic + "' does not exist (see SHOW TOPICS)",
                           statement.topic.position);
  }
  std::vector<std::unique_ptr<PartitionReader>> readers;
  ASSIGN_OR_RETURN(std::vector<int64_t> ends, engine_.log().EndOffsets(topic));
  for (int32_t partition = 0; partition < info->partitions; ++partition) {
    int64_t start = statement.from_beginning ? 0 : ends[static_cast<size_t>(partition)];
    ASSIGN_OR_RETURN(auto reader, engine_.log().OpenReader(topic, partition, start));
    readers.push_back(std::move(reader));
  }

  Schema schema({Field{"partition", DataType::Integer()}, Field{"offset", DataType::Bigint()},
                 Field{"timestamp", DataType::Timestamp()}, Field{"key", DataType::Varchar()},
                 Field{"value", DataType::Varchar()}});
  handler_.OnResultStart(schema);
  const int64_t limit = statement.limit.value_or(-1);
  int64_t printed = 0;
  std::vector<LogRecordView> records;
  while (!session_.cancel_requested_.load(std::memory_order_relaxed) &&
         (limit < 0 || printed < limit)) {
    bool any = false;
    for (size_t partition = 0; partition < readers.size(); ++partition) {
      records.clear();
      size_t room =
          limit < 0 ? 1024 : static_cast<size_t>(std::min<int64_t>(1024, limit - printed));
      if (room == 0) break;
      RETURN_NOT_OK(readers[partition]->Poll(room, records));
      if (records.empty()) continue;
      any = true;
      RecordBatch batch(schema);
      for (const LogRecordView& record : records) {
        batch.column(0).AppendInt64(static_cast<int64_t>(partition));
        batch.column(1).AppendInt64(record.offset);
        batch.column(2).AppendInt64(record.timestamp);
        if (record.key.has_value()) {
          batch.column(3).AppendString(*record.key);
        } else {
          batch.column(3).AppendNull();
        }
        if (record.value.has_value()) {
          batch.column(4).AppendString(*record.value);
        } else {
          batch.column(4).AppendNull();
        }
        batch.meta().emplace_back();
        batch.keys().emplace_back();
      }
      printed += static_cast<int64_t>(records.size());
      RETURN_NOT_OK(handler_.OnRows(batch));
    }
    if (!any) {
      Result<bool> ready = readers[0]->WaitForData(std::chrono::milliseconds(50));
      (void)ready;
    }
  }
  handler_.OnResultEnd(printed);
  return Status::OK();
}

}  // namespace sluice
