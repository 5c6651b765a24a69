#include "bench/nexmark_runner/nexmark_manifest.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace sluice::bench {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Storage("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> SplitOn(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

}  // namespace

Result<NexmarkSuite> LoadNexmarkSuite(const std::string& dir) {
  NexmarkSuite suite;
  ASSIGN_OR_RETURN(suite.datagen_sql, ReadFile(dir + "/datagen.sql"));
  ASSIGN_OR_RETURN(suite.json_log_sql, ReadFile(dir + "/json_log.sql"));
  const std::string manifest_path = dir + "/manifest.tsv";
  ASSIGN_OR_RETURN(std::string manifest, ReadFile(manifest_path));
  std::istringstream lines(manifest);
  std::string line;
  int line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    NexmarkQuery query;
    std::string streams, status;
    fields >> query.name >> streams >> status >> query.target_events_per_cpu_second;
    for (const char* capped : {"native:", "ready:"}) {
      const size_t prefix = std::string_view(capped).size();
      if (status.rfind(capped, 0) != 0) continue;
      query.max_native_events = std::atoll(status.c_str() + prefix);
      if (query.max_native_events > 0) status.resize(prefix - 1);
    }
    if (!fields || (status != "ready" && status != "native" && status != "stateful")) {
      return Status::Internal(manifest_path + ":" + std::to_string(line_number) +
                              ": expected `name streams ready|ready:N|native|native:N|stateful "
                              "target description`");
    }
    std::getline(fields >> std::ws, query.description);
    query.streams = SplitOn(streams, ',');
    query.ready = status == "ready" || status == "native";
    query.native_only = status == "native";
    ASSIGN_OR_RETURN(query.sql, ReadFile(dir + "/" + query.name + ".sql"));
    suite.queries.push_back(std::move(query));
  }
  if (suite.queries.empty()) return Status::Internal(manifest_path + " lists no queries");
  return suite;
}

Result<std::string> Substitute(const std::string& text,
                               const std::map<std::string, std::string>& variables) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = text.find("${", pos);
    if (open == std::string::npos) break;
    size_t close = text.find('}', open);
    if (close == std::string::npos) return Status::Internal("unterminated ${ in template");
    std::string name = text.substr(open + 2, close - open - 2);
    auto found = variables.find(name);
    if (found == variables.end())
      return Status::Internal("unknown template variable ${" + name + "}");
    out.append(text, pos, open - pos);
    out += found->second;
    pos = close + 1;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

}  // namespace sluice::bench
