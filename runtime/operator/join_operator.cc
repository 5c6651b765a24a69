#include "runtime/operator/join_operator.h"

#include <cstring>

#include "runtime/operator/aggregate_accumulator.h"

namespace sluice {

JoinOperator::JoinOperator(const PhysicalJoin& plan, EvalContext& context)
    : plan_(plan), context_(context) {
  codecs_[0] = std::make_unique<JoinRowCodec>(SideSchema(JoinSide::kLeft));
  codecs_[1] = std::make_unique<JoinRowCodec>(SideSchema(JoinSide::kRight));
}

Status JoinOperator::EvaluateKeys(JoinSide side, const RecordBatch& input) {
  const auto& keys = side == JoinSide::kLeft ? plan_.left_keys : plan_.right_keys;
  key_columns_.resize(keys.size());
  for (size_t key_idx = 0; key_idx < keys.size(); ++key_idx) {
    RETURN_NOT_OK(Evaluate(*keys[key_idx], input, &key_columns_[key_idx], context_));
  }
  return Status::OK();
}

bool JoinOperator::AppendKey(size_t row, std::string& out) const {
  const size_t begin = out.size();
  for (const Column& column : key_columns_) {
    if (column.IsNull(row)) {
      out.resize(begin);
      return false;
    }
    EncodeCell(column, row, out);
  }
  return true;
}

void JoinOperator::AppendKeys(size_t num_rows, std::string& out, std::vector<size_t>& ends,
                              std::vector<uint8_t>& has_key) const {
  bool any_null = false;
  for (const Column& column : key_columns_) {
    any_null = any_null || column.size() < num_rows ||
               (num_rows > 0 && std::memchr(column.valid().data(), 0, num_rows) != nullptr);
  }
  if (!any_null) {
    // No NULL key: EncodeKeys writes what AppendKey would, numbers a column at a time.
    EncodeKeys(key_columns_, num_rows, out, ends);
    has_key.assign(num_rows, 1);
    return;
  }
  ends.assign(num_rows, 0);
  has_key.assign(num_rows, 0);
  for (size_t row = 0; row < num_rows; ++row) {
    has_key[row] = AppendKey(row, out) ? 1 : 0;
    ends[row] = out.size();
  }
}

void JoinOperator::AppendCells(JoinSide side, const RecordBatch& input, size_t row,
                               RecordBatch& out) const {
  const size_t first = offset(side);
  for (size_t column_idx = 0; column_idx < width(side); ++column_idx) {
    out.column(first + column_idx).AppendFrom(input.column(column_idx), row);
  }
}

namespace {

// Appends the cells of `rows` of `cells` to `target`: NULL or append(row).
template <typename AppendCell>
void GatherCells(const Column& cells, const std::vector<uint32_t>& rows, Column& target,
                 AppendCell append) {
  for (uint32_t row : rows) {
    if (cells.IsNull(row)) {
      target.AppendNull();
    } else {
      append(row);
    }
  }
}

}  // namespace

void JoinOperator::AppendCellsOfRows(JoinSide side, const RecordBatch& input,
                                     const std::vector<uint32_t>& rows, RecordBatch& out,
                                     const std::vector<uint8_t>* only) const {
  const size_t first = offset(side);
  for (size_t column_idx = 0; column_idx < width(side); ++column_idx) {
    if (only != nullptr && (*only)[column_idx] == 0) continue;
    const Column& cells = input.column(column_idx);
    Column& target = out.column(first + column_idx);
    switch (target.type().physical()) {
      case PhysicalKind::kInt64:
        GatherCells(cells, rows, target,
                    [&](uint32_t row) { target.AppendInt64(cells.GetInt64(row)); });
        break;
      case PhysicalKind::kDouble:
        GatherCells(cells, rows, target,
                    [&](uint32_t row) { target.AppendDouble(cells.GetDouble(row)); });
        break;
      default:  // strings share the input's arenas, which AppendFrom takes care of
        for (uint32_t row : rows) target.AppendFrom(cells, row);
        break;
    }
  }
}

void JoinOperator::AppendNulls(JoinSide side, RecordBatch& out) const {
  const size_t first = offset(side);
  for (size_t column_idx = 0; column_idx < width(side); ++column_idx) {
    out.column(first + column_idx).AppendNull();
  }
}

Schema JoinOperator::SideSchema(JoinSide side) const {
  Schema schema;
  size_t begin = side == JoinSide::kLeft ? 0 : plan_.left_width;
  size_t end = side == JoinSide::kLeft ? plan_.left_width : plan_.schema.size();
  for (size_t column_idx = begin; column_idx < end; ++column_idx) {
    schema.Add(plan_.schema.field(column_idx));
  }
  return schema;
}

}  // namespace sluice
