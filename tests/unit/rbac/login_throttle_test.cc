// Rate limiting of password logins from the audit trail: free attempts, then 1 s, 2 s, 4 s ...
// capped at 60 s after the last failure; a success resets; waiting refusals do not count.

#include "rbac/login_throttle.h"

#include <gtest/gtest.h>

namespace sluice::rbac {
namespace {

AuditRecord Login(const std::string& user, int64_t time_ms, bool ok,
                  const char* detail = kPasswordLoginDetail) {
  AuditRecord record;
  record.user = user;
  record.action = "login";
  record.time_ms = time_ms;
  record.result = ok ? "ok" : "denied: PERMISSION: login failed";
  record.detail = detail;
  return record;
}

TEST(LoginThrottleTest, FreeAttemptsThenDoublingDelays) {
  std::vector<AuditRecord> records;
  for (int attempt = 0; attempt < kFreeFailures - 1; ++attempt) {
    records.push_back(Login("bob", 1000, false));
  }
  EXPECT_EQ(LoginDelayMs(records, "bob", 1000), 0);
  records.push_back(Login("bob", 1000, false));
  EXPECT_EQ(LoginDelayMs(records, "bob", 1000), 1000);
  EXPECT_EQ(LoginDelayMs(records, "bob", 1600), 400);
  EXPECT_EQ(LoginDelayMs(records, "bob", 2000), 0);
  records.push_back(Login("bob", 2000, false));
  EXPECT_EQ(LoginDelayMs(records, "bob", 2000), 2000);
  records.push_back(Login("bob", 4000, false));
  EXPECT_EQ(LoginDelayMs(records, "bob", 4000), 4000);
  // Other users are not affected.
  EXPECT_EQ(LoginDelayMs(records, "carol", 4000), 0);
}

TEST(LoginThrottleTest, CappedAtOneMinute) {
  std::vector<AuditRecord> records;
  for (int attempt = 0; attempt < 40; ++attempt) records.push_back(Login("bob", 0, false));
  EXPECT_EQ(LoginDelayMs(records, "bob", 0), kMaxLoginDelayMs);
}

TEST(LoginThrottleTest, SuccessResetsAndThrottledAttemptsDoNotCount) {
  std::vector<AuditRecord> records;
  for (int attempt = 0; attempt < kFreeFailures; ++attempt) {
    records.push_back(Login("bob", 0, false));
  }
  records.push_back(Login("bob", 10, false, kThrottledLoginDetail));
  records.push_back(Login("bob", 20, false, kThrottledLoginDetail));
  EXPECT_EQ(LoginDelayMs(records, "bob", 500), 500);  // still 1 s after the last real failure
  records.push_back(Login("bob", 2000, true));
  EXPECT_EQ(LoginDelayMs(records, "bob", 2000), 0);
  // Local-trust logins (no password checked) are neither failures nor resets.
  records.push_back(Login("bob", 2100, false, "local trust (acting for admin)"));
  EXPECT_EQ(LoginDelayMs(records, "bob", 2100), 0);
}

}  // namespace
}  // namespace sluice::rbac
