#pragma once
// Answers to the catalog's hottest lookups (the ones every statement binding a relation makes,
// several times over for a view read), kept until the catalog changes: every entry was read at
// one Catalog::change_count, and all are dropped once the count moves (a row written anywhere, a
// rollback). Only the engine writes the catalog, through the same Catalog, so an entry can never
// be older than the file. Not thread-safe, like the Catalog that owns it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/objects.h"
#include "common/status.h"

namespace sluice {

// One lookup's answers by key, all from one change count.
template <typename Key, typename Value>
class CatalogMemo {
 public:
  // The answer for `key` at `change_count`: remembered, or `load()` (which only reads).
  template <typename Load>
  Result<Value> Get(int64_t change_count, const Key& key, Load load) {
    if (change_count != change_count_) {
      entries_.clear();
      change_count_ = change_count;
    }
    auto found = entries_.find(key);
    if (found != entries_.end()) return found->second;
    ASSIGN_OR_RETURN(Value value, load());
    // Bounded: names that do not exist are remembered too, and a script may try many.
    if (entries_.size() < kMaxEntries) entries_.emplace(key, value);
    return value;
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  int64_t change_count_ = -1;
  std::map<Key, Value> entries_;
};

struct CatalogReadCache {
  CatalogMemo<std::string, std::optional<DatabaseInfo>> databases;                  // by name
  CatalogMemo<std::pair<int64_t, std::string>, std::optional<SchemaInfo>> schemas;  // in database
  CatalogMemo<std::pair<int64_t, std::string>, std::optional<RelationInfo>> relations;  // schema
  CatalogMemo<int64_t, std::optional<StoreInfo>> stores;                                // by id
  CatalogMemo<int64_t, std::optional<QueryInfo>> queries;                               // by id
  CatalogMemo<int64_t, std::vector<QueryDependency>> dependencies;  // by relation id
};

}  // namespace sluice
