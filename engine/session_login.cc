// Session::Login: which user a session acts as. The embedded engine trusts its caller as the
// owner of the data dir (admin, like SQLite's file permissions), and admin by local trust may act
// as any user without a password (Login); other callers give the user's password
// (LoginWithPassword). Every attempt, allowed or not, is audited.

#include "common/clock.h"
#include "engine/engine.h"
#include "engine/engine_impl.h"
#include "rbac/audit_log.h"
#include "rbac/login_throttle.h"
#include "rbac/scram.h"

namespace sluice {

Status Session::Login(const std::string& user) {
  Result<std::optional<UserInfo>> found = [&]() -> Result<std::optional<UserInfo>> {
    std::lock_guard<std::mutex> lock(engine_.impl().catalog_mutex());
    return engine_.impl().catalog().FindUser(user);
  }();
  rbac::AuditRecord record;
  record.user = user;
  record.client = "local";
  record.action = "login";
  record.object = "USER \"" + user + "\"";
  record.detail = "local trust (acting for admin)";
  Status outcome;
  if (!found.ok()) {
    outcome = found.status();
  } else if (!found->has_value()) {
    // The same message whether or not the name exists elsewhere: no oracle for user names.
    outcome = Status::Permission("login failed for user \"" + user + "\"");
  } else {
    user_ = (*found)->name;
    role_ = (*found)->default_role;
    role_chosen_ = false;
  }
  record.role = outcome.ok() ? role_ : "";
  record.result = outcome.ok() ? "ok" : "denied: " + outcome.ToString();
  RETURN_NOT_OK(engine_.impl().audit_log().Append(std::move(record)));
  return outcome;
}

Status Session::LoginWithPassword(const std::string& user, const std::string& password) {
  EngineImpl& engine = engine_.impl();
  Result<std::optional<UserInfo>> found = [&]() -> Result<std::optional<UserInfo>> {
    std::lock_guard<std::mutex> lock(engine.catalog_mutex());
    return engine.catalog().FindUser(user);
  }();
  RETURN_NOT_OK(found.status());
  ASSIGN_OR_RETURN(std::vector<rbac::AuditRecord> history, engine.audit_log().ReadAll());
  const int64_t wait_ms = rbac::LoginDelayMs(history, user, CurrentTimeMillis());
  rbac::AuditRecord record;
  record.user = user;
  record.client = "local";
  record.action = "login";
  record.object = "USER \"" + user + "\"";
  record.detail = rbac::kPasswordLoginDetail;
  // One message for an unknown user, a user without a password and a wrong password.
  const Status failed = Status::Permission("login failed for user \"" + user + "\"");
  Status outcome;
  if (wait_ms > 0) {
    record.detail = rbac::kThrottledLoginDetail;
    outcome = Status::Permission("login failed for user \"" + user +
                                 "\": too many failed attempts, try again in " +
                                 std::to_string((wait_ms + 999) / 1000) + " s");
  } else if (!found->has_value() || !(*found)->scram_verifier) {
    outcome = failed;
  } else {
    ASSIGN_OR_RETURN(bool matches, rbac::CheckScramPassword(password, *(*found)->scram_verifier));
    if (matches) {
      user_ = (*found)->name;
      role_ = (*found)->default_role;
      role_chosen_ = false;
    } else {
      outcome = failed;
    }
  }
  record.role = outcome.ok() ? role_ : "";
  record.result = outcome.ok() ? "ok" : "denied: " + outcome.ToString();
  RETURN_NOT_OK(engine.audit_log().Append(std::move(record)));
  return outcome;
}

}  // namespace sluice
