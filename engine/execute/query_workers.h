#pragma once
// What SHOW QUERIES and DESCRIBE QUERY say about the workers of a query with 'parallelism'.

#include <string>
#include <utility>
#include <vector>

#include "catalog/objects.h"
#include "engine/supervisor/query_supervisor.h"

namespace sluice {

// The query's 'parallelism' as its plan records it (1 for a plan that cannot be read).
int QueryParallelism(const QueryInfo& query);

// DESCRIBE QUERY rows for each worker k: "worker k" (pid and state), "worker k partitions"
// (the source partitions p with p % N == k) and "worker k lag" (high watermark minus position
// summed over those partitions, as its librdkafka consumer last saw them). A repartitioned
// GROUP BY shows "repartition topic", then "stage 1 worker k" rows (source partitions) and
// "stage 2 worker k" rows (the repartition topic's partitions p with p % N == k).
std::vector<std::pair<std::string, std::string>> DescribeQueryWorkers(const QueryInfo& query,
                                                                      const QueryStatus& status);

}  // namespace sluice
