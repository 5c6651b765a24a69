#pragma once
// 'starting.position' 'latest' or a time of a persistent query's local source means "as of the
// CREATE", not "as of whenever a worker process gets to open its source": records appended in
// between would otherwise be skipped. The engine resolves the positions when it creates the
// query and saves them where each worker resumes from (its positions.json), so they hold until
// the worker's first checkpoint fixes them; a restart neither skips nor repeats input.

#include <string>

#include "common/status.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

// REQUIRES: plan.query_id set. For a local source not read from 'earliest', saves every source
// worker's start: the one worker's, or with 'parallelism' N (stage 1 of a repartitioned plan
// included, a join's right side too) worker k's partitions p % N == k, each at the log end (or
// the time) as of now. Other stores resolve in the worker (Kafka needs the store's secrets,
// which only the worker is handed). A one-worker join's right side is not pinned (it starts as
// of the worker's start).
Status PinStartPositions(const PhysicalPlan& plan, const std::string& data_dir);

}  // namespace sluice
