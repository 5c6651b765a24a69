#include "common/batch.h"

#include <algorithm>
#include <cstring>

namespace sluice {

namespace {

// Blocks start small (most batches hold little text) and double up to a cap, so a batch costs
// one allocation per ~doubling of its text instead of one per string.
constexpr size_t kFirstBlockSize = 4096;
constexpr size_t kMaxBlockSize = 1 << 20;

// Keeps the elements whose selection byte is 1, in order, in place.
template <typename T>
void CompactInPlace(std::vector<T>& values, const std::vector<uint8_t>& selection) {
  if (values.size() != selection.size()) return;  // an unused physical vector stays empty
  size_t kept = 0;
  for (size_t row_idx = 0; row_idx < values.size(); ++row_idx) {
    if (selection[row_idx] == 0) continue;
    if (kept != row_idx) values[kept] = std::move(values[row_idx]);
    ++kept;
  }
  values.resize(kept);
}

}  // namespace

char* StringArena::AllocateInNewBlock(size_t size) {
  bytes_used_ += size;
  size_t next_size = block_size_ == 0 ? kFirstBlockSize : std::min(block_size_ * 2, kMaxBlockSize);
  if (size > next_size / 4) {
    // A big string gets its own block, placed before the current one so that the current
    // block's free space stays usable.
    auto block = std::make_unique<char[]>(size == 0 ? 1 : size);
    char* ptr = block.get();
    blocks_.insert(blocks_.empty() ? blocks_.end() : blocks_.end() - 1, std::move(block));
    return ptr;
  }
  blocks_.push_back(std::make_unique<char[]>(next_size));
  block_size_ = next_size;
  block_used_ = size;
  return blocks_.back().get();
}

void Column::Reserve(size_t rows) {
  valid_.reserve(rows);
  switch (type_.physical()) {
    case PhysicalKind::kNull: break;
    case PhysicalKind::kInt64: ints_.reserve(rows); break;
    case PhysicalKind::kDouble: doubles_.reserve(rows); break;
    case PhysicalKind::kString: strings_.reserve(rows); break;
    case PhysicalKind::kNested: nested_.reserve(rows); break;
  }
}

void Column::Clear() {
  valid_.clear();
  ints_.clear();
  doubles_.clear();
  strings_.clear();
  nested_.clear();
  arenas_.clear();
  own_arena_.reset();
}

Value Column::GetValue(size_t row) const {
  if (IsNull(row)) return Value::Null(type_);
  switch (type_.physical()) {
    case PhysicalKind::kNull: return Value::Null(type_);
    case PhysicalKind::kInt64: return Value::FromInt64(type_, ints_[row]);
    case PhysicalKind::kDouble: return Value::Double(doubles_[row]);
    case PhysicalKind::kString:
      return type_.id() == TypeId::kBytes ? Value::Bytes(std::string(strings_[row]))
                                          : Value::Varchar(std::string(strings_[row]));
    case PhysicalKind::kNested: return nested_[row];
  }
  return Value::Null(type_);
}

void Column::AppendNull() {
  valid_.push_back(0);
  switch (type_.physical()) {
    case PhysicalKind::kNull: break;
    case PhysicalKind::kInt64: ints_.push_back(0); break;
    case PhysicalKind::kDouble: doubles_.push_back(0); break;
    case PhysicalKind::kString: strings_.emplace_back(); break;
    case PhysicalKind::kNested: nested_.push_back(Value::Null(type_)); break;
  }
}

void Column::AppendString(std::string_view v) { AppendStringView(own_arena().Add(v)); }

void Column::AppendNested(Value v) {
  valid_.push_back(1);
  nested_.push_back(std::move(v));
}

void Column::AppendValue(const Value& v) {
  if (v.is_null()) {
    AppendNull();
    return;
  }
  PhysicalKind value_kind = v.type().physical();
  switch (type_.physical()) {
    case PhysicalKind::kNull: AppendNull(); break;
    case PhysicalKind::kInt64: AppendInt64(v.int_value()); break;
    case PhysicalKind::kDouble:
      // An integer literal may meet a DOUBLE column; widening here spares every caller a cast.
      AppendDouble(value_kind == PhysicalKind::kInt64 ? static_cast<double>(v.int_value())
                                                      : v.double_value());
      break;
    case PhysicalKind::kString: AppendString(v.string_value()); break;
    case PhysicalKind::kNested: AppendNested(v); break;
  }
}

void Column::AppendFrom(const Column& other, size_t row) {
  if (other.IsNull(row)) {
    AppendNull();
    return;
  }
  switch (type_.physical()) {
    case PhysicalKind::kNull: AppendNull(); break;
    case PhysicalKind::kInt64: AppendInt64(other.ints_[row]); break;
    case PhysicalKind::kDouble: AppendDouble(other.doubles_[row]); break;
    case PhysicalKind::kString:
      // Share the bytes: hold the other column's arenas rather than copying the string.
      for (const auto& arena : other.arenas_) AddArena(arena);
      if (other.own_arena_) AddArena(other.own_arena_);
      AppendStringView(other.strings_[row]);
      break;
    case PhysicalKind::kNested: AppendNested(other.nested_[row]); break;
  }
}

void Column::AddArena(std::shared_ptr<const StringArena> arena) {
  if (arena == nullptr || arena == own_arena_) return;
  // Appending row by row from the same source must not grow the list, so skip known arenas.
  for (auto it = arenas_.rbegin(); it != arenas_.rend(); ++it) {
    if (*it == arena) return;
  }
  arenas_.push_back(std::move(arena));
}

StringArena& Column::own_arena() {
  if (own_arena_ == nullptr) own_arena_ = std::make_shared<StringArena>();
  return *own_arena_;
}

RecordBatch::RecordBatch(const Schema& schema) {
  columns_.reserve(schema.size());
  for (const Field& field : schema.fields()) columns_.emplace_back(field.type);
}

void RecordBatch::Filter(const std::vector<uint8_t>& selection) {
  // Keeping every row (a WHERE that nearly always holds, as Nexmark q4's over its join) changes
  // nothing: one scan for a 0 instead of a pass over every vector of every column.
  if (selection.empty() || std::memchr(selection.data(), 0, selection.size()) == nullptr) return;
  for (Column& column : columns_) {
    CompactInPlace(column.valid(), selection);
    CompactInPlace(column.ints(), selection);
    CompactInPlace(column.doubles(), selection);
    CompactInPlace(column.strings(), selection);
    CompactInPlace(column.nested(), selection);
  }
  CompactInPlace(meta_, selection);
  CompactInPlace(keys_, selection);
}

std::vector<Value> RecordBatch::GetRow(size_t row) const {
  std::vector<Value> values;
  values.reserve(columns_.size());
  for (const Column& column : columns_) values.push_back(column.GetValue(row));
  return values;
}

void RecordBatch::Clear() {
  for (Column& column : columns_) column.Clear();
  meta_.clear();
  keys_.clear();
  arenas_.clear();
}

}  // namespace sluice
