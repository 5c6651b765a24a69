// The Kafka source's partitions against their ends (see kafka_source.h). 'ending.position'=
// 'latest': a bounded read stops at each partition's fixed end, the pinned end offsets of a
// persistent query's plan or the ends when the source opened. The start of a query: a partition
// with records from before it still unread holds the watermark back until it shows one.

#include <algorithm>

#include "runtime/connector/kafka/kafka_source.h"

namespace sluice {

bool KafkaSource::exhausted() const {
  if (stop_offsets_.empty()) return false;
  for (size_t partition = 0; partition < positions_.size(); ++partition) {
    if (spec_.OwnsPartition(static_cast<int32_t>(partition)) &&
        positions_[partition] < stop_offsets_[partition]) {
      return false;
    }
  }
  return true;
}

bool KafkaSource::AtFixedEnd(const rd_kafka_message_t& message) {
  if (stop_offsets_.empty()) return false;
  const auto partition = static_cast<size_t>(message.partition);
  if (message.partition < 0 || partition >= positions_.size() ||
      !spec_.OwnsPartition(message.partition)) {
    return false;
  }
  // An end-of-partition event carries the next offset to fetch; a record its own offset.
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR &&
      message.err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    return false;
  }
  if (message.offset < stop_offsets_[partition]) return false;
  positions_[partition] = std::max(positions_[partition], stop_offsets_[partition]);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, spec_.topic.c_str(), message.partition);
  (void)rd_kafka_pause_partitions(consumer_.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  return true;
}

void KafkaSource::MaskForeignPartitions() {
  for (size_t partition = 0; partition < positions_.size(); ++partition) {
    if (!spec_.OwnsPartition(static_cast<int32_t>(partition))) {
      positions_[partition] = end_offsets_[partition] = kForeignPartition;
    }
  }
}

void KafkaSource::FindUnread() {
  unread_.assign(positions_.size(), 0);
  unread_count_ = 0;
  for (size_t partition = 0; partition < positions_.size(); ++partition) {
    if (positions_[partition] == kForeignPartition ||
        positions_[partition] >= start_ends_[partition]) {
      continue;
    }
    unread_[partition] = 1;
    ++unread_count_;
  }
}

void KafkaSource::UpdateUnread() {
  if (unread_count_ == 0) return;
  for (size_t partition = 0; partition < unread_.size(); ++partition) {
    if (unread_[partition] == 0) continue;
    if (positions_[partition] >= start_ends_[partition] || at_end_[partition] != 0) {
      unread_[partition] = 0;
      --unread_count_;
    }
  }
}

}  // namespace sluice
