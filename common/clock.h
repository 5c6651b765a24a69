#pragma once
// Wall-clock time as Sluice uses it: epoch milliseconds, UTC.

#include <chrono>
#include <cstdint>

namespace sluice {

inline int64_t CurrentTimeMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice
