// Stores: where relations' topics live (the built-in local log, datagen, Kafka clusters).

#include "catalog/catalog.h"
#include "catalog/catalog_internal.h"
#include "catalog/catalog_read_cache.h"
#include "catalog/object_codec.h"
#include "common/clock.h"

namespace sluice {

using catalog_internal::Execute;
using catalog_internal::Quote;
using catalog_internal::SelectRow;
using catalog_internal::SelectRows;

namespace {

constexpr std::string_view kStoreTypes[] = {"local", "kafka", "datagen"};

std::string SelectStores(std::string_view clause) {
  return "SELECT id, name, type, properties, secret_properties, owner, created_at FROM stores " +
         std::string(clause);
}

Result<StoreInfo> ReadStore(const SqliteStatement& row) {
  StoreInfo store;
  store.id = row.Int(0);
  store.name = row.Text(1);
  store.type = row.Text(2);
  ASSIGN_OR_RETURN(store.properties, DecodeProperties(row.Text(3)));
  store.secret_properties = row.Blob(4);
  store.owner = row.Text(5);
  store.created_at = row.Int(6);
  return store;
}

bool IsBuiltInStore(const StoreInfo& store) {
  return store.name == kLocalStore || store.name == kDatagenStore;
}

}  // namespace

Result<StoreInfo> Catalog::CreateStore(const StoreInfo& store) {
  if (store.name.empty()) return Status::Catalog("a store needs a name");
  bool known_type = false;
  for (std::string_view type : kStoreTypes) known_type = known_type || store.type == type;
  if (!known_type) {
    return Status::Catalog("unknown store type " + Quote(store.type) + " for store " +
                           Quote(store.name) + " (expected local, kafka or datagen)");
  }
  StoreInfo stored = store;
  stored.owner = catalog_internal::OwnerOrDefault(store.owner);
  stored.created_at = CurrentTimeMillis();
  RETURN_NOT_OK(RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<StoreInfo> existing, FindStore(stored.name));
    if (existing) return Status::Catalog("store " + Quote(stored.name) + " already exists");
    RETURN_NOT_OK(Execute(*connection_,
                          "INSERT INTO stores (name, type, properties, secret_properties, owner, "
                          "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                          stored.name, stored.type, EncodeProperties(stored.properties),
                          SqliteBlob{stored.secret_properties}, stored.owner, stored.created_at));
    stored.id = connection_->last_insert_rowid();
    return Status::OK();
  }));
  return stored;
}

Result<std::optional<StoreInfo>> Catalog::FindStore(const std::string& name) {
  return SelectRow<StoreInfo>(*connection_, ReadStore, SelectStores("WHERE name = ?"), name);
}

Result<StoreInfo> Catalog::GetStore(const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<StoreInfo> store, FindStore(name));
  if (store) return *std::move(store);
  ASSIGN_OR_RETURN(std::vector<StoreInfo> stores, ListStores());
  std::vector<std::string> names;
  for (const StoreInfo& candidate : stores) names.push_back(candidate.name);
  return catalog_internal::NotFound("store", name, names);
}

Result<StoreInfo> Catalog::GetStoreById(int64_t id) {
  ASSIGN_OR_RETURN(std::optional<StoreInfo> store, read_cache_->stores.Get(change_count(), id, [&] {
    return SelectRow<StoreInfo>(*connection_, ReadStore, SelectStores("WHERE id = ?"), id);
  }));
  if (!store) return Status::Catalog("store " + std::to_string(id) + " does not exist");
  return *std::move(store);
}

Result<std::vector<StoreInfo>> Catalog::ListStores() {
  return SelectRows<StoreInfo>(*connection_, ReadStore, SelectStores("ORDER BY name"));
}

Status Catalog::UpdateStoreProperties(int64_t id, const PropertyMap& properties) {
  return RunInTransaction([&]() -> Status {
    RETURN_NOT_OK(GetStoreById(id).status());
    return Execute(*connection_, "UPDATE stores SET properties = ? WHERE id = ?",
                   EncodeProperties(properties), id);
  });
}

Status Catalog::UpdateStoreSecretProperties(int64_t id, std::string_view secret_properties) {
  return RunInTransaction([&]() -> Status {
    RETURN_NOT_OK(GetStoreById(id).status());
    return Execute(*connection_, "UPDATE stores SET secret_properties = ? WHERE id = ?",
                   SqliteBlob{secret_properties}, id);
  });
}

Status Catalog::DropStore(int64_t id) {
  return RunInTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(StoreInfo store, GetStoreById(id));
    if (IsBuiltInStore(store)) {
      return Status::Catalog("cannot drop the built-in store " + Quote(store.name));
    }
    ASSIGN_OR_RETURN(std::vector<RelationInfo> relations, ListRelationsUsingStore(id));
    if (!relations.empty()) {
      std::vector<std::string> names;
      for (const RelationInfo& relation : relations) {
        ASSIGN_OR_RETURN(std::string qualified, QualifiedRelationName(relation.id));
        names.push_back(std::string(RelationKindWord(relation.kind)) + " " + Quote(qualified));
      }
      return Status::Catalog(
          "cannot drop store " + Quote(store.name) + ": " + catalog_internal::JoinLimited(names) +
          (relations.size() == 1 ? " uses it (drop it first)" : " use it (drop them first)"));
    }
    return Execute(*connection_, "DELETE FROM stores WHERE id = ?", id);
  });
}

}  // namespace sluice
