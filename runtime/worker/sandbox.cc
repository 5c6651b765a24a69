#include "runtime/worker/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace sluice {
namespace {

// Access rights newer than the installed <linux/landlock.h> may know; values are kernel ABI.
constexpr uint64_t kLandlockTruncate = 1ULL << 14;  // ABI 3
constexpr uint64_t kLandlockIoctlDev = 1ULL << 15;  // ABI 5

constexpr uint64_t kFileRead = LANDLOCK_ACCESS_FS_READ_FILE;
constexpr uint64_t kDirRead = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
// Shared libraries may still be loaded lazily (libgcc_s for unwinding, NSS modules); exec itself
// is refused by seccomp, so granting EXECUTE on system dirs opens nothing.
constexpr uint64_t kSystemDir = kDirRead | LANDLOCK_ACCESS_FS_EXECUTE;

// Only the first field: it is all this code uses, and the kernel accepts any older struct size.
struct LandlockRulesetAttr {
  uint64_t handled_access_fs;
};

uint64_t HandledAccess(int abi) {
  uint64_t access = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  // every ABI 1 right
  if (abi >= 2) access |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) access |= kLandlockTruncate;
  if (abi >= 5) access |= kLandlockIoctlDev;
  return access;
}

// Everything needed to keep a local log and checkpoints: files and directories, but no devices,
// sockets, fifos or symlinks.
uint64_t WritableDirAccess(int abi) {
  uint64_t access = kDirRead | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |
                    LANDLOCK_ACCESS_FS_MAKE_REG;
  if (abi >= 2) access |= LANDLOCK_ACCESS_FS_REFER;  // rename() of segment files
  if (abi >= 3) access |= kLandlockTruncate;
  return access;
}

Status MakeDirs(const std::string& path) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::FromErrno("cannot create " + prefix, errno);
    }
    if (slash == std::string::npos) return Status::OK();
  }
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

// Adds one path_beneath rule. A path missing on this system (e.g. /lib64) is skipped: there is
// nothing there to grant.
Status AddLandlockRule(int ruleset_fd, const std::string& path, uint64_t access) {
  int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::OK();
    return Status::FromErrno("landlock: cannot open " + path, errno);
  }
  FdCloser closer(fd);
  struct stat info;
  if (::fstat(fd, &info) != 0) return Status::FromErrno("landlock: cannot stat " + path, errno);
  if (!S_ISDIR(info.st_mode)) {
    // The kernel rejects directory-only rights on a file.
    access &= LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
              LANDLOCK_ACCESS_FS_READ_FILE | kLandlockTruncate;
  }
  struct landlock_path_beneath_attr rule;
  std::memset(&rule, 0, sizeof(rule));
  rule.allowed_access = access;
  rule.parent_fd = fd;
  if (::syscall(SYS_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0) {
    return Status::FromErrno("landlock: cannot add a rule for " + path, errno);
  }
  return Status::OK();
}

// Returns the report entry: "landlock (ABI N)" or "landlock: unavailable (why)".
Result<std::string> ApplyLandlock(const SandboxOptions& options) {
  std::string why;
  int abi = LandlockAbiVersion(&why);
  if (abi <= 0) return "landlock: unavailable (" + why + ")";

  LandlockRulesetAttr attr{HandledAccess(abi)};
  int ruleset_fd = static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0));
  if (ruleset_fd < 0) {
    if (errno == ENOSYS || errno == EOPNOTSUPP) {
      return "landlock: unavailable (" + std::string(std::strerror(errno)) + ")";
    }
    return Status::FromErrno("landlock: cannot create a ruleset", errno);
  }
  FdCloser closer(ruleset_fd);

  struct Rule {
    std::string path;
    uint64_t access;
  };
  std::vector<Rule> rules = {
      {"/usr", kSystemDir},
      {"/lib", kSystemDir},
      {"/lib64", kSystemDir},
      {"/lib32", kSystemDir},
      {"/etc", kDirRead},
      {"/proc/self", kDirRead},
      // glibc's get_nprocs() reads the online CPU list here.
      {"/sys/devices/system/cpu", kDirRead},
      {"/dev/null", kFileRead | LANDLOCK_ACCESS_FS_WRITE_FILE},
      {"/dev/urandom", kFileRead},
  };
  if (!options.data_dir.empty()) {
    rules.push_back({WorkerLogDir(options.data_dir), WritableDirAccess(abi)});
    rules.push_back({WorkerStateDir(options.data_dir, options.query_id), WritableDirAccess(abi)});
  }
  for (const Rule& rule : rules) {
    RETURN_NOT_OK(AddLandlockRule(ruleset_fd, rule.path, rule.access & attr.handled_access_fs));
  }
  if (::syscall(SYS_landlock_restrict_self, ruleset_fd, 0) != 0) {
    return Status::FromErrno("landlock: cannot restrict the worker", errno);
  }
  return "landlock (ABI " + std::to_string(abi) + ")";
}

// Lowers one limit to `value`, never above the inherited hard limit (raising it needs
// CAP_SYS_RESOURCE). `extra_hard` leaves room between soft and hard (RLIMIT_CPU: SIGXCPU first).
Status LowerLimit(int resource, const char* name, int64_t value, int64_t extra_hard) {
  struct rlimit current;
  if (::getrlimit(resource, &current) != 0) {
    return Status::FromErrno(std::string("getrlimit ") + name, errno);
  }
  rlim_t soft = static_cast<rlim_t>(value);
  rlim_t hard = static_cast<rlim_t>(value + extra_hard);
  if (current.rlim_max != RLIM_INFINITY) {
    soft = std::min(soft, current.rlim_max);
    hard = std::min(hard, current.rlim_max);
  }
  struct rlimit limit {
    soft, hard
  };
  if (::setrlimit(resource, &limit) != 0) {
    return Status::FromErrno(std::string("setrlimit ") + name, errno);
  }
  return Status::OK();
}

Result<std::string> ApplyLimits(const WorkerLimits& limits) {
  RETURN_NOT_OK(LowerLimit(RLIMIT_CORE, "core", 0, 0));
  std::string report = "rlimits (core=0";
  if (limits.memory_bytes > 0) {
    RETURN_NOT_OK(LowerLimit(RLIMIT_AS, "as", limits.memory_bytes, 0));
    report += ", as=" + std::to_string(limits.memory_bytes);
  }
  if (limits.open_files > 0) {
    RETURN_NOT_OK(LowerLimit(RLIMIT_NOFILE, "nofile", limits.open_files, 0));
    report += ", nofile=" + std::to_string(limits.open_files);
  }
  if (limits.cpu_seconds > 0) {
    RETURN_NOT_OK(LowerLimit(RLIMIT_CPU, "cpu", limits.cpu_seconds, 1));
    report += ", cpu=" + std::to_string(limits.cpu_seconds) + "s";
  }
  return report + ")";
}

class SeccompContext {
 public:
  explicit SeccompContext(scmp_filter_ctx ctx) : ctx_(ctx) {}
  ~SeccompContext() {
    if (ctx_ != nullptr) seccomp_release(ctx_);
  }
  SeccompContext(const SeccompContext&) = delete;
  SeccompContext& operator=(const SeccompContext&) = delete;
  scmp_filter_ctx get() const { return ctx_; }

 private:
  scmp_filter_ctx ctx_;
};

Status SeccompError(const std::string& what, int rc) {
  return Status::Internal("seccomp: " + what + ": " + std::strerror(-rc));
}

Status ApplySeccomp() {
  SeccompContext ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (ctx.get() == nullptr) return Status::Internal("seccomp: cannot initialize a filter");
  // Callers apply the sandbox before starting threads; TSYNC covers one started by a library.
  int tsync = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_TSYNC, 1);
  if (tsync < 0) return SeccompError("cannot synchronize threads", tsync);
  // What a query never needs and an attacker who took over the worker would want next: running
  // programs, reading other processes, changing the mount table or namespaces, the kernel itself,
  // and identity changes. Names unknown on this architecture are skipped.
  // clang-format off
  static const char* const kDenied[] = {
      "execve", "execveat",                                            // running programs
      "ptrace", "process_vm_readv", "process_vm_writev",               // other processes
      "mount", "umount2", "fsopen", "fsmount", "move_mount", "open_tree", "pivot_root",
      "chroot", "unshare", "setns",                                    // mounts, namespaces
      "init_module", "finit_module", "delete_module", "kexec_load",    // the kernel itself
      "kexec_file_load", "reboot", "bpf", "perf_event_open",
      "setuid", "setgid", "setreuid", "setregid", "setresuid",         // identity changes
      "setresgid", "setfsuid", "setfsgid", "setgroups",
      "keyctl", "add_key", "request_key",                              // kernel keyrings
  };
  // clang-format on
  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;
    int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), nr, 0);
    if (rc < 0) return SeccompError(std::string("cannot deny ") + name, rc);
  }
  // clone() may create namespaces too (the same as unshare); clone3 passes its flags in memory a
  // filter cannot read, so it answers ENOSYS and glibc falls back to clone().
  static const uint64_t kNamespaceFlags[] = {CLONE_NEWNS,    CLONE_NEWUTS, CLONE_NEWIPC,
                                             CLONE_NEWUSER,  CLONE_NEWPID, CLONE_NEWNET,
                                             CLONE_NEWCGROUP};
  for (uint64_t flag : kNamespaceFlags) {
    int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
    if (rc < 0) return SeccompError("cannot restrict clone", rc);
  }
  int clone3 = seccomp_syscall_resolve_name("clone3");
  if (clone3 != __NR_SCMP_ERROR) {
    int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), clone3, 0);
    if (rc < 0) return SeccompError("cannot restrict clone3", rc);
  }
  int rc = seccomp_load(ctx.get());
  if (rc < 0) return SeccompError("cannot load the filter", rc);
  return Status::OK();
}

}  // namespace

std::string WorkerLogDir(const std::string& data_dir) { return data_dir + "/log"; }

std::string WorkerStateDir(const std::string& data_dir, int64_t query_id) {
  return data_dir + "/state/" + std::to_string(query_id);
}

std::string WorkerInstanceStateDir(const std::string& data_dir, int64_t query_id,
                                   int64_t worker_index, int64_t worker_count) {
  std::string dir = WorkerStateDir(data_dir, query_id);
  if (worker_count > 1) dir += "/worker-" + std::to_string(worker_index);
  return dir;
}

int LandlockAbiVersion(std::string* why) {
  long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi > 0) return static_cast<int>(abi);
  if (why != nullptr) {
    if (errno == ENOSYS) {
      *why = "the kernel was built without Landlock";
    } else if (errno == EOPNOTSUPP) {
      *why = "Landlock is disabled at boot (add landlock to the lsm= kernel parameter)";
    } else {
      *why = std::strerror(errno);
    }
  }
  return 0;
}

Result<std::string> ApplyWorkerSandbox(const SandboxOptions& options) {
  // Required by Landlock and seccomp for an unprivileged process, and makes setuid binaries inert.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return Status::FromErrno("prctl(PR_SET_NO_NEW_PRIVS)", errno);
  }
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return Status::FromErrno("prctl(PR_SET_DUMPABLE)", errno);
  }
  std::string report = "no_new_privs, non-dumpable";
  ASSIGN_OR_RETURN(std::string limits, ApplyLimits(options.limits));
  report += ", " + limits;
  // Landlock rules need the directories to exist; afterwards nothing outside them could make them.
  if (!options.data_dir.empty()) {
    RETURN_NOT_OK(MakeDirs(WorkerLogDir(options.data_dir)));
    RETURN_NOT_OK(MakeDirs(WorkerStateDir(options.data_dir, options.query_id)));
  }
  ASSIGN_OR_RETURN(std::string landlock, ApplyLandlock(options));
  report += ", " + landlock;
  RETURN_NOT_OK(ApplySeccomp());
  report += ", seccomp";
  return report;
}

}  // namespace sluice
