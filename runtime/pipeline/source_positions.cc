#include "runtime/pipeline/source_positions.h"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cerrno>

#include "common/json_writer.h"

namespace sluice {

std::string SourcePositionsPath(const std::string& state_dir) {
  return state_dir + "/positions.json";
}

std::string SourcePositionsToJson(const SourcePositions& positions) {
  JsonWriter writer;
  writer.BeginObject();
  writer.Key("topic").String(positions.topic);
  writer.Key("positions").BeginArray();
  for (int64_t position : positions.positions) writer.Int(position);
  writer.EndArray();
  if (!positions.sinks.empty()) {
    writer.Key("sinks").BeginObject();
    for (const auto& [topic, ends] : positions.sinks) {
      writer.Key(topic).BeginArray();
      for (int64_t end : ends) writer.Int(end);
      writer.EndArray();
    }
    writer.EndObject();
  }
  writer.EndObject();
  return writer.Take();
}

Status SaveSourcePositions(const std::string& path, const SourcePositions& positions, bool sync) {
  const std::string text = SourcePositionsToJson(positions);
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("cannot write " + temporary, errno);
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return Status::FromErrno("cannot write " + temporary, error);
    }
    written += static_cast<size_t>(n);
  }
  if (sync && ::fsync(fd) != 0) {
    int error = errno;
    ::close(fd);
    return Status::FromErrno("cannot sync " + temporary, error);
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return Status::FromErrno("cannot rename " + temporary + " to " + path, errno);
  }
  return Status::OK();
}

Result<std::optional<SourcePositions>> LoadSourcePositions(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) return std::optional<SourcePositions>();
  simdjson::padded_string text;
  if (auto error = simdjson::padded_string::load(path).get(text)) {
    return Status::Storage("cannot read saved positions " + path + ": " +
                           simdjson::error_message(error));
  }
  ASSIGN_OR_RETURN(SourcePositions positions,
                   SourcePositionsFromJson(std::string_view(text.data(), text.size()), path));
  return std::optional<SourcePositions>(std::move(positions));
}

Result<SourcePositions> SourcePositionsFromJson(std::string_view text, const std::string& what) {
  const Status malformed = Status::Storage("saved positions " + what + " are malformed");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(text.data(), text.size()).get(root)) {
    return Status::Storage("cannot read saved positions " + what + ": " +
                           simdjson::error_message(error));
  }
  SourcePositions positions;
  std::string_view topic;
  simdjson::dom::array offsets;
  if (root["topic"].get(topic) || root["positions"].get(offsets)) return malformed;
  positions.topic = std::string(topic);
  for (simdjson::dom::element offset : offsets) {
    int64_t value = 0;
    // -1: a partition another worker of the query reads ('parallelism', kForeignPartition).
    if (offset.get(value) || value < -1) return malformed;
    positions.positions.push_back(value);
  }
  simdjson::dom::object sinks;
  if (root["sinks"].get(sinks) == simdjson::SUCCESS) {
    for (auto [sink_topic, ends_element] : sinks) {
      simdjson::dom::array ends;
      if (ends_element.get(ends)) return malformed;
      std::vector<int64_t>& out = positions.sinks[std::string(sink_topic)];
      for (simdjson::dom::element end : ends) {
        int64_t value = 0;
        if (end.get(value)) return malformed;
        out.push_back(value);
      }
    }
  }
  return positions;
}

}  // namespace sluice
