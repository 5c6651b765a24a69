#pragma once
// Columnar record batches: the unit that flows between operators. A Column stores one physical
// vector chosen by its type (int64 / double / string_view / Value) plus a validity byte per row.
// String cells are views into StringArenas that the column keeps alive, so projecting a column
// from one batch into another copies views, never bytes.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "common/value.h"

namespace sluice {

// Append-only storage for string bytes. Views handed out stay valid for the arena's lifetime.
class StringArena {
 public:
  StringArena() = default;
  StringArena(const StringArena&) = delete;
  StringArena& operator=(const StringArena&) = delete;

  // Inline, as Allocate's common case: decoders add strings cell by cell.
  std::string_view Add(std::string_view bytes) {
    if (bytes.empty()) return std::string_view();
    char* ptr = Allocate(bytes.size());
    std::memcpy(ptr, bytes.data(), bytes.size());
    return std::string_view(ptr, bytes.size());
  }
  // Reserves `size` bytes and returns a pointer to fill them (then view [ptr, ptr+size)).
  char* Allocate(size_t size) {
    if (!blocks_.empty() && block_size_ - block_used_ >= size) {
      bytes_used_ += size;
      char* ptr = blocks_.back().get() + block_used_;
      block_used_ += size;
      return ptr;
    }
    return AllocateInNewBlock(size);
  }
  size_t bytes_used() const { return bytes_used_; }

 private:
  // Allocate when the current block has no room: a new block, or one of its own for a big string.
  char* AllocateInNewBlock(size_t size);

  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0;
  size_t block_size_ = 0;
  size_t bytes_used_ = 0;
};

class Column {
 public:
  Column() = default;
  explicit Column(DataType type) : type_(std::move(type)) {}

  const DataType& type() const { return type_; }
  size_t size() const { return valid_.size(); }
  void Reserve(size_t rows);
  void Clear();

  bool IsNull(size_t row) const { return valid_[row] == 0; }
  int64_t GetInt64(size_t row) const { return ints_[row]; }
  double GetDouble(size_t row) const { return doubles_[row]; }
  std::string_view GetString(size_t row) const { return strings_[row]; }
  const Value& GetNested(size_t row) const { return nested_[row]; }
  // Any cell as a Value (slow path: results, messages, nested values).
  Value GetValue(size_t row) const;

  void AppendNull();
  // Inline: decoders and operators append cell by cell.
  void AppendInt64(int64_t v) {
    valid_.push_back(1);
    ints_.push_back(v);
  }
  void AppendDouble(double v) {
    valid_.push_back(1);
    doubles_.push_back(v);
  }
  // The view must point into an arena this column holds (see AddArena) or outlive the column.
  void AppendStringView(std::string_view v) {
    valid_.push_back(1);
    strings_.push_back(v);
  }
  // Copies the bytes into the column's own arena.
  void AppendString(std::string_view v);
  void AppendNested(Value v);
  // Appends a Value of this column's type (NULL allowed). REQUIRES: value type matches.
  void AppendValue(const Value& v);
  // Appends row `row` of `other` (same physical kind).
  void AppendFrom(const Column& other, size_t row);

  // Keeps `arena` alive as long as this column, so views into it may be appended.
  void AddArena(std::shared_ptr<const StringArena> arena);
  const std::vector<std::shared_ptr<const StringArena>>& arenas() const { return arenas_; }
  // The column's own arena for AppendString (created on first use).
  StringArena& own_arena();

  // Raw vectors for vectorized kernels. valid: 1 = value present, 0 = NULL.
  std::vector<uint8_t>& valid() { return valid_; }
  const std::vector<uint8_t>& valid() const { return valid_; }
  std::vector<int64_t>& ints() { return ints_; }
  const std::vector<int64_t>& ints() const { return ints_; }
  std::vector<double>& doubles() { return doubles_; }
  const std::vector<double>& doubles() const { return doubles_; }
  std::vector<std::string_view>& strings() { return strings_; }
  const std::vector<std::string_view>& strings() const { return strings_; }
  std::vector<Value>& nested() { return nested_; }
  const std::vector<Value>& nested() const { return nested_; }

 private:
  DataType type_;
  std::vector<uint8_t> valid_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<std::string_view> strings_;
  std::vector<Value> nested_;
  std::vector<std::shared_ptr<const StringArena>> arenas_;
  std::shared_ptr<StringArena> own_arena_;
};

// What a row means to a changelog sink: an insert/upsert of its key, or a delete (tombstone: the
// sink writes the key with a null value).
enum class RowKind : uint8_t { kUpsert = 0, kDelete = 1 };

// Where a record came from; carried per row so operators and sinks can expose ROWTIME(),
// ROWKEY() and checkpoint positions.
struct RecordMeta {
  int64_t timestamp = 0;  // event time in epoch ms (from the 'timestamp' column or the record)
  int32_t partition = 0;
  int64_t offset = 0;
  RowKind kind = RowKind::kUpsert;  // fits in the struct's padding
};

class RecordBatch {
 public:
  RecordBatch() = default;
  explicit RecordBatch(const Schema& schema);

  size_t num_rows() const { return meta_.size(); }
  size_t num_columns() const { return columns_.size(); }
  Column& column(size_t index) { return columns_[index]; }
  const Column& column(size_t index) const { return columns_[index]; }
  std::vector<Column>& columns() { return columns_; }
  const std::vector<Column>& columns() const { return columns_; }
  std::vector<RecordMeta>& meta() { return meta_; }
  const std::vector<RecordMeta>& meta() const { return meta_; }
  // Keys of the source records (empty view when none), parallel to meta().
  std::vector<std::string_view>& keys() { return keys_; }
  const std::vector<std::string_view>& keys() const { return keys_; }

  // Keeps `arena` alive as long as this batch (for key bytes).
  void AddArena(std::shared_ptr<const StringArena> arena) { arenas_.push_back(std::move(arena)); }
  const std::vector<std::shared_ptr<const StringArena>>& arenas() const { return arenas_; }

  // Keeps rows whose selection byte is 1, in order (all columns, meta and keys).
  void Filter(const std::vector<uint8_t>& selection);
  // Row as Values (slow path).
  std::vector<Value> GetRow(size_t row) const;
  void Clear();

 private:
  std::vector<Column> columns_;
  std::vector<RecordMeta> meta_;
  std::vector<std::string_view> keys_;
  std::vector<std::shared_ptr<const StringArena>> arenas_;
};

}  // namespace sluice
