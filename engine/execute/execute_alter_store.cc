// ALTER STORE k SET ('kafka.sasl.password'=..., ...): changes a Kafka store's settings, most often
// to rotate its credentials. The new settings pass the same checks as CREATE STORE; secrets are
// sealed again under the data dir's master key and never echoed. Running queries keep the
// credentials they were started with: a worker receives its stores' secrets when it starts, so
// RESTART QUERY (or a worker restart after a failure) picks the new ones up.

#include "catalog/object_codec.h"
#include "engine/execute/statement_executor.h"
#include "engine/execute/store_properties.h"

namespace sluice {

Status StatementExecutor::AlterStore(const AlterStoreStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  const std::string& name = statement.name.name;
  // Whoever may create stores may manage their settings (there is no per-store ownership yet).
  RETURN_NOT_OK(RequireStatement(rbac::StatementKind::kCreateStore, {}, name, statement.position));
  ASSIGN_OR_RETURN(std::optional<StoreInfo> found, engine_.catalog().FindStore(name));
  if (!found) {
    return Status::Catalog("store \"" + name + "\" does not exist", statement.name.position);
  }
  StoreInfo store = std::move(*found);
  if (store.type != "kafka") {
    return Status::Binder("store \"" + name + "\" is built in (" + store.type +
                              "); only Kafka stores have settings to alter",
                          statement.name.position);
  }
  PropertyMap properties = store.properties;
  ASSIGN_OR_RETURN(PropertyMap secrets, engine_.StoreSecretProperties(store));
  const PropertyMap old_secrets = secrets;
  for (const Property& property : statement.properties) {  // the parser refuses duplicates
    if (property.key == "type") {
      return Status::Binder("the 'type' of a store cannot change; create another store",
                            property.key_position);
    }
    RETURN_NOT_OK(CheckStoreProperty(property, properties, secrets));
  }
  RETURN_NOT_OK(CheckStoreCredentials(properties, secrets, statement.position));

  RETURN_NOT_OK(engine_.catalog().UpdateStoreProperties(store.id, properties));
  if (secrets != old_secrets) {
    ASSIGN_OR_RETURN(const SecretBox* box, engine_.secret_box());
    ASSIGN_OR_RETURN(std::string sealed, box->Seal(EncodeProperties(secrets), "store:" + name));
    RETURN_NOT_OK(engine_.catalog().UpdateStoreSecretProperties(store.id, sealed));
  }
  handler_.OnCommandComplete("ALTER STORE");
  return Status::OK();
}

}  // namespace sluice
