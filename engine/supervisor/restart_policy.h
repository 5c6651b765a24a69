#pragma once
// When the supervisor restarts a crashed worker: after an exponential back-off (100 ms doubling
// up to 10 s, back to 100 ms once a worker ran for a stable minute), and not at all once the
// query crashed too often within a window (a crash loop), when it becomes FAILED instead.
// A worker that failed with a transient error (a broker unreachable) is retried on a separate,
// slower schedule (2 s doubling up to 60 s) with no limit on attempts: the outage ends on its
// own, and TERMINATE QUERY ends the retrying. Retries do not count as crashes.
// Pure bookkeeping over the times it is given, so it is unit-testable without processes.

#include <chrono>
#include <deque>
#include <optional>
#include <string>

namespace sluice {

struct RestartPolicyOptions {
  int max_crashes = 10;  // crashes within `window` that make the query FAILED
  std::chrono::milliseconds window{60000};
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds stable_after{60000};  // a worker up this long resets the back-off
  std::chrono::milliseconds retry_initial_backoff{2000};
  std::chrono::milliseconds retry_max_backoff{60000};
};

class RestartPolicy {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RestartPolicy(RestartPolicyOptions options = {}) : options_(options) {}

  // A worker started at `now`.
  void OnStarted(Clock::time_point now) { started_at_ = now; }
  // The worker crashed at `now`: the delay before restarting it, or nullopt when the query
  // crashed max_crashes times within the window and should fail.
  std::optional<std::chrono::milliseconds> OnCrash(Clock::time_point now);
  // The worker failed with a transient error: the delay before the next attempt (doubling
  // from retry_initial_backoff up to retry_max_backoff). Never gives up.
  std::chrono::milliseconds OnTransientFailure();
  // Attempts scheduled since the query last ran (1 after the first transient failure).
  int retry_attempts() const { return retry_attempts_; }
  // A retried worker got through (its sources and sinks opened): the next outage starts over.
  void OnRecovered() { retry_attempts_ = 0; }
  // A restart by hand (RESTART QUERY) forgets earlier crashes and retries.
  void Reset();

  // "worker crashed 10 times within 60 s"
  std::string DescribeLimit() const;

 private:
  RestartPolicyOptions options_;
  std::deque<Clock::time_point> crashes_;  // within the window
  std::chrono::milliseconds backoff_{0};   // the last delay; 0: none yet
  Clock::time_point started_at_{};
  int retry_attempts_ = 0;
};

}  // namespace sluice
