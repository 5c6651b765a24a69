#pragma once
// The wire protocol between the query supervisor (engine) and one `sluice worker` process.
// Each message is a frame: a 4-byte big-endian payload length, then a JSON object whose "type"
// says which message it is. The engine writes to the worker's fd 3 (control), the worker writes
// to its fd 4 (status). The plan (and later the secrets) travel only here, never in argv or the
// environment, so they do not show up in /proc/<pid>/cmdline or /proc/<pid>/environ.
//
//   engine -> worker   {"type":"start","query_id":N,"data_dir":"...","plan":"<plan json>",
//                       "limits":{"memory_bytes":N,"open_files":N,"cpu_seconds":N},
//                       "secrets":{"<store>":{"<property>":"<value>"}}}
//                      {"type":"stop"}
//   worker -> engine   {"type":"started","pid":N,"protections":"..."}
//                      {"type":"progress","records_in":N,"records_out":N,"records_failed":N,
//                       "last_error":"...","positions":{"topic":[N,...]},"end_offsets":{...},
//                       "peak_rss_bytes":N}
//                      {"type":"failed","reason":"...","peak_rss_bytes":N}
//                      {"type":"stopped","peak_rss_bytes":N}
// peak_rss_bytes is the worker's own VmHWM (see WorkerPeakRssBytes); absent or 0: not measured.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"
#include "runtime/pipeline/query_runner.h"
#include "runtime/worker/sandbox.h"

namespace sluice {

// File descriptors the worker finds its pipes on (the supervisor dup2()s them there).
inline constexpr int kWorkerControlFd = 3;  // engine -> worker
inline constexpr int kWorkerStatusFd = 4;   // worker -> engine

// A frame larger than this is a protocol error (protects the engine from a confused worker).
inline constexpr size_t kMaxWorkerFrameBytes = 64u << 20;

struct WorkerStartMessage {
  int64_t query_id = 0;
  std::string data_dir;
  std::string plan_json;
  WorkerLimits limits;
  // Opened credentials of the stores the plan uses, by store name (the plan itself carries
  // "********" in their place). Only this message ever holds them.
  StoreSecrets store_secrets;
  // 'parallelism': this worker is worker_index of worker_count running the query, and reads
  // only the source partitions p with p % worker_count == worker_index.
  int64_t worker_index = 0;
  int64_t worker_count = 1;
  // The supervisor restarts this worker alone after it crashed; its siblings keep running.
  bool restarted_alone = false;
};
struct WorkerStopMessage {};
struct WorkerStartedMessage {
  int pid = 0;
  std::string protections;  // sandbox report (see ApplyWorkerSandbox)
};
struct WorkerProgressMessage {
  QueryProgress progress;
  int64_t peak_rss_bytes = 0;  // the worker's peak resident memory so far; 0: unknown
};
struct WorkerFailedMessage {
  std::string reason;
  // A transient failure (Status::retriable(), e.g. no broker answered): the supervisor starts
  // the query again after a back-off instead of failing it.
  bool retriable = false;
  int64_t peak_rss_bytes = 0;  // over the worker's whole run; 0: unknown
};
struct WorkerStoppedMessage {
  int64_t peak_rss_bytes = 0;  // over the worker's whole run; 0: unknown
};

using WorkerMessage =
    std::variant<WorkerStartMessage, WorkerStopMessage, WorkerStartedMessage, WorkerProgressMessage,
                 WorkerFailedMessage, WorkerStoppedMessage>;

// The calling process's peak resident memory in bytes: VmHWM of /proc/self/status, 0 if it
// cannot be read. Unlike a parent's wait4() ru_maxrss, which Linux raises to the forking
// process's RSS at exec (so a worker forked by a big engine reports at least the engine's size),
// VmHWM belongs to the worker's own address space after exec.
int64_t WorkerPeakRssBytes();

// "start", "stop", "started", "progress", "failed", "stopped".
std::string_view WorkerMessageName(const WorkerMessage& message);

// The JSON payload of a message (no length prefix).
std::string EncodeWorkerMessage(const WorkerMessage& message);
Result<WorkerMessage> DecodeWorkerMessage(std::string_view payload);

// Length prefix + payload, ready to write.
std::string FrameWorkerMessage(const WorkerMessage& message);

// Writes one whole frame to a blocking fd, retrying on EINTR and short writes. A closed reader
// yields an error (EPIPE), not SIGPIPE, only if the caller ignores or blocks SIGPIPE.
Status WriteWorkerMessage(int fd, const WorkerMessage& message);

// Reads one whole frame from a blocking fd. Returns nullopt on a clean end of file between
// frames; an end of file inside a frame, an oversized frame or bad JSON is an error.
Result<std::optional<WorkerMessage>> ReadWorkerMessage(int fd);

// Splits a byte stream read in arbitrary chunks (from a non-blocking pipe) into messages.
class WorkerFrameDecoder {
 public:
  void Append(const char* data, size_t size) { buffer_.append(data, size); }
  // The next complete message, nullopt if more bytes are needed, or a protocol error.
  Result<std::optional<WorkerMessage>> Next();
  // Bytes of an incomplete frame still buffered (non-zero at end of file means a torn frame).
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  std::string buffer_;
  size_t consumed_ = 0;  // bytes of buffer_ already decoded; compacted lazily
};

}  // namespace sluice
