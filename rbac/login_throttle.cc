#include "rbac/login_throttle.h"

#include <algorithm>

namespace sluice::rbac {

int64_t LoginDelayMs(const std::vector<AuditRecord>& records, const std::string& user,
                     int64_t now_ms) {
  int failures = 0;
  int64_t last_failure_ms = 0;
  for (const AuditRecord& record : records) {
    if (record.action != "login" || record.user != user) continue;
    if (record.result == "ok") {
      failures = 0;
    } else if (record.detail == kPasswordLoginDetail) {
      ++failures;
      last_failure_ms = record.time_ms;
    }
  }
  if (failures < kFreeFailures) return 0;
  const int doublings = std::min(failures - kFreeFailures, 16);
  const int64_t delay = std::min<int64_t>(int64_t{1000} << doublings, kMaxLoginDelayMs);
  return std::max<int64_t>(0, last_failure_ms + delay - now_ms);
}

}  // namespace sluice::rbac
