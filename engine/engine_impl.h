#pragma once
// What an open data dir holds at run time: the catalog, the local log, the query supervisor and
// the lock that keeps a second engine out. Statement execution (engine/execute/) works on this.

#include <memory>
#include <mutex>
#include <string>

#include "catalog/catalog.h"
#include "engine/engine.h"
#include "engine/governance/access_control_cache.h"
#include "engine/supervisor/query_supervisor.h"
#include "rbac/audit_log.h"
#include "storage/log/local_log_store.h"
#include "storage/secrets/secret_box.h"

namespace sluice {

class EngineImpl {
 public:
  EngineImpl(const EngineImpl&) = delete;
  EngineImpl& operator=(const EngineImpl&) = delete;
  ~EngineImpl();

  // REQUIRES: options.data_dir names a directory (created if missing) no other engine holds.
  static Result<std::unique_ptr<EngineImpl>> Open(const EngineOptions& options);

  const EngineOptions& options() const { return options_; }
  const std::string& data_dir() const { return options_.data_dir; }
  std::string log_dir() const { return options_.data_dir + "/log"; }
  Catalog& catalog() { return *catalog_; }
  LocalLogStore& log() { return *log_; }
  QuerySupervisor& supervisor() { return *supervisor_; }
  // <data_dir>/audit: every statement, login and access decision. Thread-safe.
  rbac::AuditLog& audit_log() { return *audit_log_; }
  // Serializes catalog changes made by concurrent sessions and by the supervisor's callbacks.
  std::mutex& catalog_mutex() { return catalog_mutex_; }
  // The rbac model of the catalog as it is now, for checking rights (statements that change
  // governance load their own copy to edit). REQUIRES: catalog mutex held.
  Result<std::shared_ptr<const rbac::AccessControl>> access_control() {
    return access_control_.Current(*catalog_);
  }
  // The data dir's master key, opened (its key file created) on first use, so a data dir that
  // never holds a credential never grows a key file. REQUIRES: catalog mutex held.
  Result<const SecretBox*> secret_box();
  // A store's opened secrets (empty when it has none). REQUIRES: catalog mutex held.
  Result<PropertyMap> StoreSecretProperties(const StoreInfo& store);
  // A store's settings as a client needs them: properties with the secrets opened and the
  // store's name under "store". REQUIRES: catalog mutex held.
  Result<PropertyMap> StoreClientSettings(const StoreInfo& store);
  // The current settings, secrets opened, of the stores a serialized plan uses (so a worker
  // started after ALTER STORE uses the new ones). REQUIRES: catalog mutex held.
  Result<StoreSecrets> PlanStoreSecrets(std::string_view plan_json);

  // Starts the worker of a query whose plan is in the catalog and marks it RUNNING.
  Status StartQuery(int64_t query_id);
  // Starts every query the catalog lists as RUNNING (after a restart of the engine).
  Status ResumeQueries();

 private:
  explicit EngineImpl(EngineOptions options) : options_(std::move(options)) {}
  void OnQueryStateChange(int64_t query_id, const std::string& state, const std::string& reason);

  EngineOptions options_;
  int lock_fd_ = -1;  // flock(LOCK_EX) on <data_dir>/LOCK for the engine's lifetime
  std::mutex catalog_mutex_;
  std::unique_ptr<Catalog> catalog_;
  AccessControlCache access_control_;  // guarded by catalog_mutex_
  std::unique_ptr<LocalLogStore> log_;
  std::unique_ptr<QuerySupervisor> supervisor_;
  std::unique_ptr<SecretBox> secret_box_;
  std::unique_ptr<rbac::AuditLog> audit_log_;
};

}  // namespace sluice
