// Session::Login: which user a session acts as. The embedded engine trusts its caller as the
// owner of the data dir (admin, like SQLite's file permissions), and admin by local trust may act
// as any user, so no password is asked here; every attempt, allowed or not, is audited.

#include "engine/engine.h"
#include "engine/engine_impl.h"
#include "rbac/audit_log.h"

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

}  // namespace sluice
