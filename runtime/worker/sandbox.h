#pragma once
// The worker's sandbox: what the kernel offers to confine one query's process once it has read its
// plan. Applying it is one-way (nothing here can be undone) and affects the calling process, so it
// is called exactly once, by the worker, before it starts any thread.

#include <cstdint>
#include <string>

#include "common/status.h"

namespace sluice {

// Resource limits of one query; 0 leaves the inherited limit in place.
struct WorkerLimits {
  int64_t memory_bytes = 0;  // RLIMIT_AS
  int64_t open_files = 0;    // RLIMIT_NOFILE
  int64_t cpu_seconds = 0;   // RLIMIT_CPU (the kernel sends SIGXCPU, then SIGKILL)
};

struct SandboxOptions {
  std::string data_dir;  // the engine's data dir; the worker may write only below two subdirs
  int64_t query_id = 0;
  WorkerLimits limits;
};

// <data_dir>/log: the local log the query reads and writes.
std::string WorkerLogDir(const std::string& data_dir);
// <data_dir>/state/<query_id>: the query's own state (checkpoints), created if missing.
std::string WorkerStateDir(const std::string& data_dir, int64_t query_id);
// The state of worker `worker_index` of a query run by `worker_count` workers ('parallelism'):
// WorkerStateDir itself for a single worker, else its subdir worker-<index>, so each worker's
// checkpoints (its partitions' positions) stay its own.
std::string WorkerInstanceStateDir(const std::string& data_dir, int64_t query_id,
                                   int64_t worker_index, int64_t worker_count);

// Highest Landlock ABI the running kernel supports, or 0 with `*why` set when there is none.
int LandlockAbiVersion(std::string* why);

// Applies, in order: PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE=0 (no ptrace or /proc/<pid>/mem by
// other processes of the same user), rlimits (RLIMIT_CORE=0 always, so secrets never land in a
// core file), Landlock when the kernel has it (writes only to the log and state dirs; reads also
// to /usr, /lib*, /etc, /proc/self, /dev/null, /dev/urandom), and a seccomp filter that fails
// exec, ptrace, cross-process memory access, mounts, namespaces, module loading, kexec, reboot,
// uid/gid changes, keyctl, bpf and perf_event_open with EPERM.
// Returns the human-readable report DESCRIBE QUERY shows, e.g.
// "no_new_privs, non-dumpable, rlimits (core=0), landlock (ABI 3), seccomp";
// "landlock: unavailable (<why>)" replaces the Landlock entry when the kernel lacks it.
Result<std::string> ApplyWorkerSandbox(const SandboxOptions& options);

}  // namespace sluice
