#pragma once
// Rate limiting of password logins, computed from the audit log itself (so it survives across
// processes, as every `sluice` invocation is a new one): after kFreeFailures consecutive failed
// password logins of a user, each further attempt must wait 1 s, 2 s, 4 s ... (at most 60 s)
// after the last failure. A successful login resets the count. Attempts refused for waiting do
// not count as failures, so retrying early does not extend the wait.

#include <cstdint>
#include <string>
#include <vector>

#include "rbac/audit_log.h"

namespace sluice::rbac {

inline constexpr int kFreeFailures = 3;
inline constexpr int64_t kMaxLoginDelayMs = 60'000;

// The `detail` of login records that checked a password, and of those refused for waiting.
inline constexpr const char* kPasswordLoginDetail = "password";
inline constexpr const char* kThrottledLoginDetail = "password (rate limited)";

// Milliseconds `user` must still wait before the next password attempt at `now_ms` (0: none).
int64_t LoginDelayMs(const std::vector<AuditRecord>& records, const std::string& user,
                     int64_t now_ms);

}  // namespace sluice::rbac
