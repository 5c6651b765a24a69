#include "runtime/operator/window_state_chunk.h"

#include "common/big_endian.h"
#include "runtime/operator/raw_bytes.h"

namespace sluice {

namespace {

constexpr size_t kWindowKeyBytes = 17;  // 'w' + start + end

}  // namespace

void AppendChunkEntry(std::string_view key, std::string_view value, std::string& chunk) {
  if (chunk.empty()) chunk.push_back(kChunkFormat);
  AppendVarint(key.size(), chunk);
  chunk.append(key);
  AppendVarint(value.size(), chunk);
  chunk.append(value);
}

Status ForEachChunkEntry(
    std::string_view chunk,
    const std::function<Status(std::string_view key, std::string_view value)>& visit) {
  if (chunk.empty() || chunk[0] != kChunkFormat) {
    return Status::Storage("window aggregate state: a chunk of groups has an unknown format");
  }
  size_t pos = 1;
  std::string_view parts[2];
  while (pos < chunk.size()) {
    for (std::string_view& part : parts) {
      uint64_t length = 0;
      if (!ReadVarint(chunk, &pos, &length) || chunk.size() - pos < length) {
        return Status::Storage("window aggregate state: a chunk of groups is truncated");
      }
      part = chunk.substr(pos, length);
      pos += length;
    }
    RETURN_NOT_OK(visit(parts[0], parts[1]));
  }
  return Status::OK();
}

std::string ChunkTableKey(const std::string& window_key, uint64_t sequence) {
  std::string key = window_key;
  key.push_back(kChunkMarker);
  AppendBigEndian(sequence, 8, key);
  return key;
}

bool IsChunkTableKey(std::string_view key, uint64_t* sequence) {
  if (key.size() != kWindowKeyBytes + 9 || key[kWindowKeyBytes] != kChunkMarker) return false;
  *sequence = ReadBigEndian(key.substr(kWindowKeyBytes + 1), 8);
  return true;
}

}  // namespace sluice
