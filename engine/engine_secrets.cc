// EngineImpl's master key: opened lazily, see engine_impl.h.

#include "catalog/object_codec.h"
#include "engine/engine_impl.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

Result<const SecretBox*> EngineImpl::secret_box() {
  if (!secret_box_) {
    ASSIGN_OR_RETURN(SecretBox box, SecretBox::OpenOrCreate(SecretBox::DefaultKeyFile(data_dir())));
    secret_box_ = std::make_unique<SecretBox>(std::move(box));
  }
  return secret_box_.get();
}

Result<PropertyMap> EngineImpl::StoreSecretProperties(const StoreInfo& store) {
  if (store.secret_properties.empty()) return PropertyMap{};
  ASSIGN_OR_RETURN(const SecretBox* box, secret_box());
  ASSIGN_OR_RETURN(std::string opened, box->Open(store.secret_properties, "store:" + store.name));
  return DecodeProperties(opened);
}

Result<PropertyMap> EngineImpl::StoreClientSettings(const StoreInfo& store) {
  PropertyMap settings = store.properties;
  ASSIGN_OR_RETURN(PropertyMap secrets, StoreSecretProperties(store));
  for (auto& [key, value] : secrets) settings[key] = std::move(value);
  settings["store"] = store.name;
  return settings;
}

Result<StoreSecrets> EngineImpl::PlanStoreSecrets(std::string_view plan_json) {
  StoreSecrets secrets;
  // A plan that does not parse gets no secrets; the worker reports the parse error itself.
  Result<std::unique_ptr<PhysicalPlan>> plan = PhysicalPlanFromJson(plan_json);
  if (!plan.ok()) return secrets;
  const PhysicalPlan& parsed = **plan;
  for (const auto* properties : {&parsed.source.properties, &parsed.sink.properties,
                                 parsed.join_source ? &parsed.join_source->properties : nullptr}) {
    if (properties == nullptr) continue;
    auto store_name = properties->find("store");
    if (store_name == properties->end() || secrets.count(store_name->second)) continue;
    ASSIGN_OR_RETURN(std::optional<StoreInfo> store, catalog_->FindStore(store_name->second));
    if (!store || store->type != "kafka") continue;
    // The store's current settings, not only its secrets: the plan holds the settings of its
    // CREATE, and ALTER STORE may have changed them since (a new password, another broker).
    ASSIGN_OR_RETURN(PropertyMap settings, StoreClientSettings(*store));
    secrets[store->name] = std::move(settings);
  }
  return secrets;
}

}  // namespace sluice
