#include "runtime/worker/worker_protocol.h"

#include <errno.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <utility>

#include "common/json_writer.h"

namespace sluice {
namespace {

constexpr size_t kLengthBytes = 4;

template <typename... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void WriteOffsets(JsonWriter& writer, const std::map<std::string, std::vector<int64_t>>& offsets) {
  writer.BeginObject();
  for (const auto& [topic, partitions] : offsets) {
    writer.Key(topic).BeginArray();
    for (int64_t offset : partitions) writer.Int(offset);
    writer.EndArray();
  }
  writer.EndObject();
}

Status Malformed(std::string_view what) {
  return Status::Internal("malformed worker message: " + std::string(what));
}

Result<int64_t> GetInt(simdjson::dom::object object, std::string_view key) {
  int64_t value = 0;
  if (object[key].get_int64().get(value) != simdjson::SUCCESS) {
    return Malformed("\"" + std::string(key) + "\" is not an integer");
  }
  return value;
}

// A missing optional integer reads as 0 (older or newer peers may omit fields).
Result<int64_t> GetOptionalInt(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element element;
  if (object[key].get(element) != simdjson::SUCCESS) return int64_t{0};
  int64_t value = 0;
  if (element.get_int64().get(value) != simdjson::SUCCESS) {
    return Malformed("\"" + std::string(key) + "\" is not an integer");
  }
  return value;
}

Result<std::string> GetString(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  if (object[key].get_string().get(value) != simdjson::SUCCESS) {
    return Malformed("\"" + std::string(key) + "\" is not a string");
  }
  return std::string(value);
}

Result<std::map<std::string, std::vector<int64_t>>> GetOffsets(simdjson::dom::object object,
                                                               std::string_view key) {
  std::map<std::string, std::vector<int64_t>> result;
  simdjson::dom::object topics;
  if (object[key].get_object().get(topics) != simdjson::SUCCESS) {
    return Malformed("\"" + std::string(key) + "\" is not an object");
  }
  for (auto field : topics) {
    simdjson::dom::array partitions;
    if (field.value.get_array().get(partitions) != simdjson::SUCCESS) {
      return Malformed("offsets of \"" + std::string(field.key) + "\" are not an array");
    }
    std::vector<int64_t>& out = result[std::string(field.key)];
    for (auto partition : partitions) {
      int64_t offset = 0;
      if (partition.get_int64().get(offset) != simdjson::SUCCESS) {
        return Malformed("offset of \"" + std::string(field.key) + "\" is not an integer");
      }
      out.push_back(offset);
    }
  }
  return result;
}

Result<WorkerMessage> DecodeStart(simdjson::dom::object object) {
  WorkerStartMessage start;
  ASSIGN_OR_RETURN(start.query_id, GetInt(object, "query_id"));
  ASSIGN_OR_RETURN(start.data_dir, GetString(object, "data_dir"));
  ASSIGN_OR_RETURN(start.plan_json, GetString(object, "plan"));
  ASSIGN_OR_RETURN(start.worker_index, GetOptionalInt(object, "worker_index"));
  ASSIGN_OR_RETURN(start.worker_count, GetOptionalInt(object, "worker_count"));
  if (start.worker_count == 0) start.worker_count = 1;  // omitted: a single worker
  ASSIGN_OR_RETURN(int64_t restarted_alone, GetOptionalInt(object, "restarted_alone"));
  start.restarted_alone = restarted_alone != 0;
  if (start.worker_count < 1 || start.worker_index < 0 ||
      start.worker_index >= start.worker_count) {
    return Malformed("worker_index " + std::to_string(start.worker_index) + " of " +
                     std::to_string(start.worker_count) + " workers");
  }
  simdjson::dom::object limits;
  if (object["limits"].get_object().get(limits) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(start.limits.memory_bytes, GetOptionalInt(limits, "memory_bytes"));
    ASSIGN_OR_RETURN(start.limits.open_files, GetOptionalInt(limits, "open_files"));
    ASSIGN_OR_RETURN(start.limits.cpu_seconds, GetOptionalInt(limits, "cpu_seconds"));
  }
  simdjson::dom::object secrets;
  if (object["secrets"].get_object().get(secrets) == simdjson::SUCCESS) {
    for (auto store : secrets) {
      simdjson::dom::object values;
      if (store.value.get_object().get(values) != simdjson::SUCCESS) {
        return Malformed("secrets of a store are not an object");
      }
      auto& out = start.store_secrets[std::string(store.key)];
      for (auto value : values) {
        std::string_view text;
        if (value.value.get_string().get(text) != simdjson::SUCCESS) {
          return Malformed("a secret is not a string");
        }
        out[std::string(value.key)] = std::string(text);
      }
    }
  }
  return WorkerMessage(std::move(start));
}

// Absent (an older worker) or missing a key: zero.
Status DecodeStateCounters(simdjson::dom::object object, StateCounters& counters) {
  simdjson::dom::object state;
  if (object["state"].get_object().get(state) != simdjson::SUCCESS) return Status::OK();
  for (const StateCounterField& field : kStateCounterFields) {
    ASSIGN_OR_RETURN(counters.*field.member, GetOptionalInt(state, field.name));
  }
  return Status::OK();
}

void WriteStateCounters(const StateCounters& counters, JsonWriter& writer) {
  writer.Key("state").BeginObject();
  for (const StateCounterField& field : kStateCounterFields) {
    writer.Key(field.name).Int(counters.*field.member);
  }
  writer.EndObject();
}

Result<WorkerMessage> DecodeProgress(simdjson::dom::object object) {
  WorkerProgressMessage message;
  QueryProgress& progress = message.progress;
  ASSIGN_OR_RETURN(progress.records_in, GetInt(object, "records_in"));
  ASSIGN_OR_RETURN(progress.records_out, GetInt(object, "records_out"));
  ASSIGN_OR_RETURN(progress.records_failed, GetInt(object, "records_failed"));
  ASSIGN_OR_RETURN(progress.last_error, GetString(object, "last_error"));
  ASSIGN_OR_RETURN(progress.late_records, GetInt(object, "late_records"));
  ASSIGN_OR_RETURN(progress.watermark, GetInt(object, "watermark"));
  ASSIGN_OR_RETURN(progress.checkpoint_id, GetInt(object, "checkpoint_id"));
  ASSIGN_OR_RETURN(progress.checkpoint_at_ms, GetInt(object, "checkpoint_at_ms"));
  ASSIGN_OR_RETURN(progress.checkpoint_duration_us, GetInt(object, "checkpoint_duration_us"));
  ASSIGN_OR_RETURN(progress.state_size_bytes, GetInt(object, "state_size_bytes"));
  RETURN_NOT_OK(DecodeStateCounters(object, progress.state));
  ASSIGN_OR_RETURN(progress.positions, GetOffsets(object, "positions"));
  ASSIGN_OR_RETURN(progress.end_offsets, GetOffsets(object, "end_offsets"));
  ASSIGN_OR_RETURN(message.peak_rss_bytes, GetOptionalInt(object, "peak_rss_bytes"));
  return WorkerMessage(std::move(message));
}

void PutLength(uint32_t length, char* out) {
  out[0] = static_cast<char>((length >> 24) & 0xff);
  out[1] = static_cast<char>((length >> 16) & 0xff);
  out[2] = static_cast<char>((length >> 8) & 0xff);
  out[3] = static_cast<char>(length & 0xff);
}

uint32_t GetLength(const char* in) {
  auto byte = [&](int idx) { return static_cast<uint32_t>(static_cast<unsigned char>(in[idx])); };
  return (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
}

Status CheckLength(uint32_t length) {
  if (length > kMaxWorkerFrameBytes) {
    return Malformed("frame of " + std::to_string(length) + " bytes exceeds the limit");
  }
  return Status::OK();
}

// Reads exactly `size` bytes; returns the number read before end of file (< size only at EOF).
Result<size_t> ReadFull(int fd, char* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("read from worker pipe", errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

}  // namespace

int64_t WorkerPeakRssBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoll(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

std::string_view WorkerMessageName(const WorkerMessage& message) {
  return std::visit(Overloaded{
                        [](const WorkerStartMessage&) { return std::string_view("start"); },
                        [](const WorkerStopMessage&) { return std::string_view("stop"); },
                        [](const WorkerStartedMessage&) { return std::string_view("started"); },
                        [](const WorkerProgressMessage&) { return std::string_view("progress"); },
                        [](const WorkerFailedMessage&) { return std::string_view("failed"); },
                        [](const WorkerStoppedMessage&) { return std::string_view("stopped"); },
                    },
                    message);
}

std::string EncodeWorkerMessage(const WorkerMessage& message) {
  JsonWriter writer;
  writer.BeginObject().Key("type").String(WorkerMessageName(message));
  std::visit(
      Overloaded{
          [&](const WorkerStartMessage& start) {
            writer.Key("query_id").Int(start.query_id);
            writer.Key("data_dir").String(start.data_dir);
            writer.Key("plan").String(start.plan_json);
            writer.Key("worker_index").Int(start.worker_index);
            writer.Key("worker_count").Int(start.worker_count);
            writer.Key("restarted_alone").Int(start.restarted_alone ? 1 : 0);
            writer.Key("limits").BeginObject();
            writer.Key("memory_bytes").Int(start.limits.memory_bytes);
            writer.Key("open_files").Int(start.limits.open_files);
            writer.Key("cpu_seconds").Int(start.limits.cpu_seconds);
            writer.EndObject();
            writer.Key("secrets").BeginObject();
            for (const auto& [store, values] : start.store_secrets) {
              writer.Key(store).BeginObject();
              for (const auto& [key, value] : values) writer.Key(key).String(value);
              writer.EndObject();
            }
            writer.EndObject();
          },
          [&](const WorkerStopMessage&) {},
          [&](const WorkerStartedMessage& started) {
            writer.Key("pid").Int(started.pid);
            writer.Key("protections").String(started.protections);
          },
          [&](const WorkerProgressMessage& message) {
            const QueryProgress& progress = message.progress;
            writer.Key("records_in").Int(progress.records_in);
            writer.Key("records_out").Int(progress.records_out);
            writer.Key("records_failed").Int(progress.records_failed);
            writer.Key("last_error").String(progress.last_error);
            writer.Key("late_records").Int(progress.late_records);
            writer.Key("watermark").Int(progress.watermark);
            writer.Key("checkpoint_id").Int(progress.checkpoint_id);
            writer.Key("checkpoint_at_ms").Int(progress.checkpoint_at_ms);
            writer.Key("checkpoint_duration_us").Int(progress.checkpoint_duration_us);
            writer.Key("state_size_bytes").Int(progress.state_size_bytes);
            WriteStateCounters(progress.state, writer);
            writer.Key("positions");
            WriteOffsets(writer, progress.positions);
            writer.Key("end_offsets");
            WriteOffsets(writer, progress.end_offsets);
            writer.Key("peak_rss_bytes").Int(message.peak_rss_bytes);
          },
          [&](const WorkerFailedMessage& failed) { writer.Key("reason").String(failed.reason); },
          [&](const WorkerStoppedMessage&) {},
      },
      message);
  // Apart from the visit: an older engine reads a Failed message without it as not retriable.
  if (const auto* failed = std::get_if<WorkerFailedMessage>(&message)) {
    writer.Key("retriable").Int(failed->retriable ? 1 : 0);
    writer.Key("peak_rss_bytes").Int(failed->peak_rss_bytes);
  }
  if (const auto* stopped = std::get_if<WorkerStoppedMessage>(&message)) {
    writer.Key("peak_rss_bytes").Int(stopped->peak_rss_bytes);
  }
  writer.EndObject();
  return writer.Take();
}

Result<WorkerMessage> DecodeWorkerMessage(std::string_view payload) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(payload);
  simdjson::dom::object object;
  if (parser.parse(padded).get_object().get(object) != simdjson::SUCCESS) {
    return Malformed("not a JSON object");
  }
  ASSIGN_OR_RETURN(std::string type, GetString(object, "type"));
  if (type == "start") return DecodeStart(object);
  if (type == "stop") return WorkerMessage(WorkerStopMessage{});
  if (type == "started") {
    WorkerStartedMessage started;
    ASSIGN_OR_RETURN(int64_t pid, GetInt(object, "pid"));
    started.pid = static_cast<int>(pid);
    ASSIGN_OR_RETURN(started.protections, GetString(object, "protections"));
    return WorkerMessage(std::move(started));
  }
  if (type == "progress") return DecodeProgress(object);
  if (type == "failed") {
    WorkerFailedMessage failed;
    ASSIGN_OR_RETURN(failed.reason, GetString(object, "reason"));
    ASSIGN_OR_RETURN(int64_t retriable, GetOptionalInt(object, "retriable"));
    failed.retriable = retriable != 0;
    ASSIGN_OR_RETURN(failed.peak_rss_bytes, GetOptionalInt(object, "peak_rss_bytes"));
    return WorkerMessage(std::move(failed));
  }
  if (type == "stopped") {
    WorkerStoppedMessage stopped;
    ASSIGN_OR_RETURN(stopped.peak_rss_bytes, GetOptionalInt(object, "peak_rss_bytes"));
    return WorkerMessage(stopped);
  }
  return Malformed("unknown type \"" + type + "\"");
}

std::string FrameWorkerMessage(const WorkerMessage& message) {
  std::string payload = EncodeWorkerMessage(message);
  std::string frame(kLengthBytes, '\0');
  PutLength(static_cast<uint32_t>(payload.size()), frame.data());
  frame += payload;
  return frame;
}

Status WriteWorkerMessage(int fd, const WorkerMessage& message) {
  std::string frame = FrameWorkerMessage(message);
  size_t done = 0;
  while (done < frame.size()) {
    ssize_t n = ::write(fd, frame.data() + done, frame.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("write to worker pipe", errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Result<std::optional<WorkerMessage>> ReadWorkerMessage(int fd) {
  char header[kLengthBytes];
  ASSIGN_OR_RETURN(size_t header_read, ReadFull(fd, header, kLengthBytes));
  if (header_read == 0) return std::optional<WorkerMessage>();
  if (header_read < kLengthBytes) return Malformed("end of file inside a frame header");
  uint32_t length = GetLength(header);
  RETURN_NOT_OK(CheckLength(length));
  std::string payload(length, '\0');
  ASSIGN_OR_RETURN(size_t payload_read, ReadFull(fd, payload.data(), length));
  if (payload_read < length) return Malformed("end of file inside a frame");
  ASSIGN_OR_RETURN(WorkerMessage message, DecodeWorkerMessage(payload));
  return std::optional<WorkerMessage>(std::move(message));
}

Result<std::optional<WorkerMessage>> WorkerFrameDecoder::Next() {
  if (buffered() < kLengthBytes) return std::optional<WorkerMessage>();
  uint32_t length = GetLength(buffer_.data() + consumed_);
  RETURN_NOT_OK(CheckLength(length));
  if (buffered() < kLengthBytes + length) return std::optional<WorkerMessage>();
  std::string_view payload(buffer_.data() + consumed_ + kLengthBytes, length);
  Result<WorkerMessage> message = DecodeWorkerMessage(payload);
  consumed_ += kLengthBytes + length;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ > (1u << 16) && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  if (!message.ok()) return message.status();
  return std::optional<WorkerMessage>(std::move(message).value());
}

}  // namespace sluice
