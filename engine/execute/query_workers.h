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

// The state SHOW QUERIES and DESCRIBE QUERY show: the catalog's, except that a RUNNING query
// whose worker is being restarted after a crash or retried after a transient failure shows
// RESTARTING or RETRYING (the catalog keeps RUNNING: the query is meant to run).
std::string ShownQueryState(const QueryInfo& query, const QueryStatus& status);

// DESCRIBE QUERY rows for each worker k: "worker k" (pid and state), "worker k partitions"
// (the source partitions p with p % N == k), "worker k lag" (high watermark minus position
// summed over those partitions, as its librdkafka consumer last saw them) and "worker k
// restarts" (processes started for worker k after its first). A repartitioned GROUP BY shows
// "repartition topic", then "stage 1 worker k" rows (source partitions) and "stage 2 worker k"
// rows (the repartition topic's partitions p with p % N == k); a repartitioned join
// "repartition topics", "stage 1 left worker k", "stage 1 right worker k" and "stage 2 worker
// k" (the partitions p % N == k of both repartition topics); a repartitioned GROUP BY over a
// join also its grouped topic among them and "stage 3 worker k" (its partitions p % N == k); a
// repartitioned materialized view also its view topic and "stage 3 view worker" (over a join,
// "stage 4 view worker"), which reads all of that topic's partitions.
std::vector<std::pair<std::string, std::string>> DescribeQueryWorkers(const QueryInfo& query,
                                                                      const QueryStatus& status);

}  // namespace sluice
