#pragma once
// How a catalog relation's stored definition reads to the planner: its columns as a Schema, its
// topic, partition count and event-time column, and validation of WITH (...) properties for
// relations and for sources in a FROM clause.

#include <map>
#include <string>

#include "catalog/catalog.h"
#include "common/status.h"
#include "common/types.h"
#include "parser/ast.h"

namespace sluice {

Schema RelationColumns(const RelationInfo& relation);
std::string RelationTopic(const RelationInfo& relation);
int32_t RelationPartitions(const RelationInfo& relation);
// Indexes into `schema` of the columns named by 'key.columns' (empty when the relation has none;
// a changelog's primary key otherwise).
Result<std::vector<int>> RelationKeyColumns(const RelationInfo& relation, const Schema& schema);
// Index of the 'timestamp' column in `schema`, or -1 when records carry their own timestamp.
Result<int> TimestampColumn(const RelationInfo& relation, const Schema& schema);

// Validates the WITH (...) of CREATE STREAM / CHANGELOG (and of CREATE ... AS SELECT): known keys
// only (unknown ones get a did-you-mean), well-formed values. Returns them as a map with the
// defaults filled in: topic = `default_topic`, value.format = json, partitions = 1, store = local.
Result<std::map<std::string, std::string>> BindRelationProperties(const PropertyList& properties,
                                                                  const std::string& default_topic,
                                                                  const Schema& columns);

// Validates the WITH (...) after a relation in FROM: 'starting.position',
// 'source.deserialization.error.handling', 'source.deserialization.error.topic'.
Result<std::map<std::string, std::string>> BindSourceProperties(const PropertyList& properties);

// The BINDER error for 'ending.position' on a relation of `store` (a store other than 'local').
Status RefuseEndingPosition(const std::string& store, int64_t position);

// A non-negative number of milliseconds in `properties` under `key` (0 when absent), e.g.
// 'source.allow.latency.millis'; a BINDER error naming the key otherwise.
Result<int64_t> MillisProperty(const std::map<std::string, std::string>& properties,
                               const std::string& key);

}  // namespace sluice
