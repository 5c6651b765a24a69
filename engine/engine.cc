#include "engine/engine.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "engine/engine_impl.h"

namespace sluice {

namespace {

Status EnsureDirectory(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) return Status::Storage("cannot create directory " + path + ": " + error.message());
  if (!std::filesystem::is_directory(path)) {
    return Status::Storage("data dir " + path + " is not a directory");
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<EngineImpl>> EngineImpl::Open(const EngineOptions& requested) {
  // Workers get the data dir by path; make it absolute so it means the same to them.
  EngineOptions options = requested;
  std::error_code absolute_error;
  std::filesystem::path absolute = std::filesystem::absolute(options.data_dir, absolute_error);
  if (!absolute_error) options.data_dir = absolute.lexically_normal().string();
  while (options.data_dir.size() > 1 && options.data_dir.back() == '/') options.data_dir.pop_back();
  std::unique_ptr<EngineImpl> impl(new EngineImpl(options));
  RETURN_NOT_OK(EnsureDirectory(options.data_dir));
  // The data dir holds secrets later (keys, credentials): keep it private to its owner.
  ::chmod(options.data_dir.c_str(), 0700);

  const std::string lock_path = options.data_dir + "/LOCK";
  impl->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (impl->lock_fd_ < 0) return Status::FromErrno("cannot open " + lock_path, errno);
  if (::flock(impl->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    char pid_text[32] = {0};
    ssize_t n = ::pread(impl->lock_fd_, pid_text, sizeof(pid_text) - 1, 0);
    std::string holder =
        n > 0 ? " (pid " + std::string(pid_text, static_cast<size_t>(n)) + ")" : "";
    return Status::Storage("data dir " + options.data_dir + " is in use by another sluice process" +
                           holder + "; stop it or use another --data-dir");
  }
  std::string pid_text = std::to_string(::getpid());
  if (::ftruncate(impl->lock_fd_, 0) != 0 ||
      ::pwrite(impl->lock_fd_, pid_text.data(), pid_text.size(), 0) < 0) {
    return Status::FromErrno("cannot write " + lock_path, errno);
  }

  ASSIGN_OR_RETURN(impl->catalog_, Catalog::Open(options.data_dir + "/catalog.db"));
  ASSIGN_OR_RETURN(impl->audit_log_, rbac::AuditLog::Open(options.data_dir + "/audit"));
  RETURN_NOT_OK(EnsureDirectory(impl->log_dir()));
  ASSIGN_OR_RETURN(impl->log_, LocalLogStore::Open(impl->log_dir()));

  QuerySupervisorOptions supervisor_options;
  supervisor_options.worker_binary =
      options.worker_binary.empty() ? std::string("/proc/self/exe") : options.worker_binary;
  supervisor_options.data_dir = options.data_dir;
  supervisor_options.restart.max_crashes = options.worker_crash_limit;
  supervisor_options.restart.max_backoff = std::chrono::milliseconds(options.worker_max_backoff_ms);
  supervisor_options.restart.initial_backoff =
      std::min(supervisor_options.restart.initial_backoff, supervisor_options.restart.max_backoff);
  EngineImpl* raw = impl.get();
  supervisor_options.on_state_change = [raw](int64_t query_id, const std::string& state,
                                             const std::string& reason) {
    raw->OnQueryStateChange(query_id, state, reason);
  };
  impl->supervisor_ = std::make_unique<QuerySupervisor>(std::move(supervisor_options));
  RETURN_NOT_OK(impl->ResumeQueries());
  return impl;
}

EngineImpl::~EngineImpl() {
  if (supervisor_) supervisor_->StopAll();
  supervisor_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Engine::Engine(std::unique_ptr<EngineImpl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<EngineImpl> impl, EngineImpl::Open(options));
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

std::unique_ptr<Session> Engine::NewSession() {
  return std::unique_ptr<Session>(new Session(*this));
}

}  // namespace sluice
