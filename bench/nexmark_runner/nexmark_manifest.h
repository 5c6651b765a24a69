#pragma once
// The Nexmark suite as bench/nexmark/ describes it: manifest.tsv lists the queries (which
// streams each reads, whether this build can run it, its target), qN.sql holds the query, and
// datagen.sql / json_log.sql set up the sources. Files are read here; nothing is run.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::bench {

struct NexmarkQuery {
  std::string name;                  // "q0"
  std::vector<std::string> streams;  // the datagen streams it reads: "bid", "person", ...
  bool ready = false;                // false: needs stateful operators this build lacks
  // Runs in native mode only: its setup queries over the JSON topics of json-log mode would never
  // end (a local topic is unbounded), so their last windows would stay open.
  bool native_only = false;
  // Native mode runs over at most this many events (0: no cap), for queries whose state is their
  // whole input at the generator's rate (status `ready:N` or `native:N` in the manifest).
  int64_t max_native_events = 0;
  double target_events_per_cpu_second = 0;  // native mode
  std::string description;
  std::string sql;  // the contents of <name>.sql
};

struct NexmarkSuite {
  std::vector<NexmarkQuery> queries;  // manifest order
  std::string datagen_sql;            // with ${EVENTS} and ${SEED}
  std::string json_log_sql;           // with ${STREAM}
};

// Reads `dir` (bench/nexmark). Errors name the file and line.
Result<NexmarkSuite> LoadNexmarkSuite(const std::string& dir);

// Replaces each ${NAME} of `text` by variables[NAME]; an unknown name is an error.
Result<std::string> Substitute(const std::string& text,
                               const std::map<std::string, std::string>& variables);

}  // namespace sluice::bench
