// RestartPolicy: the back-off between automatic restarts and the crash-loop limit.

#include "engine/supervisor/restart_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice {
namespace {

using namespace std::chrono_literals;
using Clock = RestartPolicy::Clock;

TEST(RestartPolicyTest, BackOffDoublesUpToTheCapAndResetsAfterAStableRun) {
  RestartPolicyOptions options;
  options.max_crashes = 100;
  options.max_backoff = 1000ms;
  RestartPolicy policy(options);
  Clock::time_point now{};
  std::vector<int64_t> delays;
  for (int crash = 0; crash < 6; ++crash) {
    policy.OnStarted(now);
    now += 10ms;
    delays.push_back(policy.OnCrash(now)->count());
  }
  EXPECT_EQ(delays, (std::vector<int64_t>{100, 200, 400, 800, 1000, 1000}));
  policy.OnStarted(now);
  now += 61s;  // ran for a stable minute
  EXPECT_EQ(policy.OnCrash(now)->count(), 100);
}

TEST(RestartPolicyTest, TooManyCrashesWithinTheWindowFail) {
  RestartPolicy policy;  // 10 within 60 s
  Clock::time_point now{};
  for (int crash = 0; crash < 9; ++crash) {
    now += 1s;
    EXPECT_TRUE(policy.OnCrash(now).has_value()) << crash;
  }
  now += 1s;
  EXPECT_FALSE(policy.OnCrash(now).has_value());
  EXPECT_EQ(policy.DescribeLimit(), "worker crashed 10 times within 60 s");
}

TEST(RestartPolicyTest, CrashesOutsideTheWindowAndResetsAreForgotten) {
  RestartPolicyOptions options;
  options.max_crashes = 3;
  RestartPolicy policy(options);
  Clock::time_point now{};
  EXPECT_TRUE(policy.OnCrash(now).has_value());
  EXPECT_TRUE(policy.OnCrash(now + 1s).has_value());
  // The first crash left the window: still two within it.
  EXPECT_TRUE(policy.OnCrash(now + 60500ms).has_value());
  EXPECT_FALSE(policy.OnCrash(now + 60900ms).has_value());
  policy.Reset();  // RESTART QUERY
  EXPECT_TRUE(policy.OnCrash(now + 62s).has_value());
}

TEST(RestartPolicyTest, TransientFailuresBackOffToTheCapWithoutLimitOrCrashes) {
  RestartPolicyOptions options;
  options.max_crashes = 2;
  RestartPolicy policy(options);  // retries: 2 s doubling up to 60 s
  const std::vector<int64_t> expected = {2000, 4000, 8000, 16000, 32000, 60000, 60000};
  for (size_t attempt = 0; attempt < expected.size(); ++attempt) {
    EXPECT_EQ(policy.OnTransientFailure().count(), expected[attempt]) << attempt;
    EXPECT_EQ(policy.retry_attempts(), static_cast<int>(attempt) + 1);
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    EXPECT_EQ(policy.OnTransientFailure().count(), 60000);  // no overflow, never gives up
  }
  // Retries are not crashes: the crash limit (2) is still untouched.
  EXPECT_TRUE(policy.OnCrash(Clock::time_point{}).has_value());
  policy.OnRecovered();  // the broker came back: the next outage starts over
  EXPECT_EQ(policy.retry_attempts(), 0);
  EXPECT_EQ(policy.OnTransientFailure().count(), 2000);
  policy.Reset();  // RESTART QUERY forgets retries too
  EXPECT_EQ(policy.retry_attempts(), 0);
}

}  // namespace
}  // namespace sluice
