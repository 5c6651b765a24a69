#pragma once
// How records are spread over a topic's partitions. Keyed records use Kafka's default partitioner
// (murmur2 of the key bytes, sign bit cleared, modulo the partition count), so a key lands on the
// same partition number in a local topic and in a Kafka topic with the same partition count.

#include <cstdint>
#include <string_view>

namespace sluice {

// Kafka's Utils.murmur2: MurmurHash2 with seed 0x9747b28c, as a Java int.
int32_t KafkaMurmur2(std::string_view bytes);

// REQUIRES: partitions > 0. An empty key is a key (it hashes); only an absent key is keyless.
int32_t PartitionForKey(std::string_view key, int32_t partitions);

// Keyless records: round-robin driven by a counter the caller owns and increments per record.
// REQUIRES: partitions > 0.
int32_t PartitionForCounter(uint64_t counter, int32_t partitions);

}  // namespace sluice
