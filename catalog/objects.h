#pragma once
// The catalog's objects as plain structs: what a row of catalog.db holds, nothing more. Ids are
// assigned by the catalog (0 means "not stored yet"), never change on rename and are never reused,
// so grants and queries can refer to objects by id. Every object has an owner role.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace sluice {

// Created by the first open of a catalog.
inline constexpr std::string_view kDefaultDatabase = "default_db";
inline constexpr std::string_view kDefaultSchema = "public";
inline constexpr std::string_view kLocalStore = "local";
inline constexpr std::string_view kDatagenStore = "datagen";
// Owner of bootstrapped objects and of objects created before roles exist.
inline constexpr std::string_view kDefaultOwner = "sysadmin";

// WITH ('key'='value', ...) properties, kept sorted by key.
using PropertyMap = std::map<std::string, std::string>;

// Same enumerators, in the same order, as the parser's RelationKind (parser/ast.h), so a
// static_cast converts; the catalog cannot include the parser.
enum class CatalogRelationKind : uint8_t { kStream, kChangelog, kMaterializedView };

// "STREAM", "CHANGELOG", "MATERIALIZED VIEW" (SHOW output and the stored spelling).
std::string_view RelationKindName(CatalogRelationKind kind);
// "stream", "changelog", "materialized view" (inside messages: `cannot drop stream "x"`).
std::string_view RelationKindWord(CatalogRelationKind kind);
Result<CatalogRelationKind> ParseRelationKind(std::string_view name);

// CREATED -> RUNNING | FAILED | TERMINATED; RUNNING and FAILED -> RUNNING | FAILED | TERMINATED;
// A FAILED query can be restarted, so only TERMINATED releases its relations. TERMINATED is
// final except for RESTART QUERY, which starts the query again from its checkpoints when the
// relations it reads and writes still exist.
enum class QueryState : uint8_t { kCreated, kRunning, kFailed, kTerminated };

std::string_view QueryStateName(QueryState state);  // "CREATED", "RUNNING", ...
Result<QueryState> ParseQueryState(std::string_view name);
bool IsQueryStateChangeAllowed(QueryState from, QueryState to);

struct DatabaseInfo {
  int64_t id = 0;
  std::string name;
  std::string owner;
  int64_t created_at = 0;  // epoch ms
};

struct SchemaInfo {
  int64_t id = 0;
  int64_t database_id = 0;
  std::string name;
  std::string owner;
  int64_t created_at = 0;
};

struct RelationInfo {
  int64_t id = 0;
  int64_t schema_id = 0;
  std::string name;
  CatalogRelationKind kind = CatalogRelationKind::kStream;
  std::vector<Field> columns;
  std::vector<std::string> primary_key;  // column names, in key order; empty for a STREAM
  PropertyMap properties;                // topic, value.format, timestamp, partitions, store, ...
  int64_t store_id = 0;
  // The topic in its store. CreateRelation fills it from properties["topic"] when left empty.
  std::string topic;
  std::string owner;
  int64_t created_at = 0;
};

struct StoreInfo {
  int64_t id = 0;
  std::string name;
  std::string type;  // "local", "kafka" or "datagen"
  PropertyMap properties;
  // Credentials, encrypted by the caller; the catalog stores and returns these bytes untouched.
  std::string secret_properties;
  std::string owner;
  int64_t created_at = 0;
};

struct QueryInfo {
  int64_t id = 0;  // what users type: TERMINATE QUERY 3
  std::string sql;
  std::string plan;  // the serialized physical plan, opaque to the catalog
  QueryState state = QueryState::kCreated;
  std::string state_reason;  // why it is in its state: exit reason, error, "terminated by ..."
  std::string owner;
  int64_t sink_relation_id = 0;  // 0: writes to no relation (or its sink was dropped)
  std::vector<int64_t> source_relation_ids;
  PropertyMap properties;  // bookkeeping such as the restart count
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// One query reading from or writing to a relation (what blocks dropping it).
struct QueryDependency {
  int64_t query_id = 0;
  QueryState state = QueryState::kCreated;
  bool reads = false;   // the relation is one of its sources
  bool writes = false;  // the relation is its sink
};

}  // namespace sluice
