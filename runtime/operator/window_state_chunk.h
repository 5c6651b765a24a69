#pragma once
// The framing of a window's groups in a few big state values ("chunks") instead of one table key
// per group. A checkpoint of a window of 200K new groups was 200K RocksDB entries, each paid for
// in the write batch index, the memtable and the log, and again when the window closed (one delete
// per key): several microseconds per group, more than the aggregate itself. As chunks, the same
// bytes are a handful of entries.
//
// A chunk is kChunkFormat, then entries of varint(key size) key varint(value size) value: an
// encoded group key (EncodeCell's bytes) and the group's WindowGroupCodec bytes. A window's chunks
// live under 'w' + start + end + kChunkMarker + a big-endian sequence number, so they sort after
// the window's per-group keys of earlier versions (group keys begin with EncodeCell's tag, 0 or
// 1) and in the order they were written: a group written by several checkpoints is restored from
// the last.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice {

inline constexpr char kChunkFormat = 'C';
inline constexpr char kChunkMarker = '\xfe';
// A chunk is written once it reaches this many bytes (the last of a checkpoint may be smaller).
inline constexpr size_t kChunkTargetBytes = 256u << 10;

// Appends one group entry to `chunk` (starting it with kChunkFormat when empty).
void AppendChunkEntry(std::string_view key, std::string_view value, std::string& chunk);

// Calls `visit` for each entry of a chunk, in order. A value that is not a whole chunk is a
// STORAGE error, as is an error `visit` returns (passed through).
[[nodiscard]] Status ForEachChunkEntry(
    std::string_view chunk,
    const std::function<Status(std::string_view key, std::string_view value)>& visit);

// `window_key` ('w' + start + end) + kChunkMarker + `sequence` big-endian.
std::string ChunkTableKey(const std::string& window_key, uint64_t sequence);
// Whether a 'w' table key names a chunk (else a group of an earlier version); if so, its sequence.
bool IsChunkTableKey(std::string_view key, uint64_t* sequence);

}  // namespace sluice
