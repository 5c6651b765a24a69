#include "runtime/operator/join_row_codec.h"

#include "common/big_endian.h"
#include "runtime/operator/raw_bytes.h"

namespace sluice {

namespace {

Status Corrupt() { return Status::Storage("join state: a row value is truncated or malformed"); }

}  // namespace

JoinRowCodec::JoinRowCodec(const Schema& columns) {
  for (size_t column_idx = 0; column_idx < columns.size(); ++column_idx) {
    const DataType& type = columns.field(column_idx).type;
    types_.push_back(type);
    kinds_.push_back(type.physical());
    fixed_width_ = fixed_width_ && (type.physical() == PhysicalKind::kInt64 ||
                                    type.physical() == PhysicalKind::kDouble);
    fixed_size_ += 1 + 8;
    if (type.physical() == PhysicalKind::kNested) {
      Schema cell;
      cell.Add(Field{"v", type});
      nested_decoders_.push_back(std::make_unique<JsonRecordDecoder>(cell, std::vector<int>{0}));
      nested_scratch_.emplace_back(nested_decoders_.back()->output_schema());
    } else {
      nested_decoders_.push_back(nullptr);
      nested_scratch_.emplace_back();
    }
  }
}

JoinRowCodec::~JoinRowCodec() = default;

void JoinRowCodec::Encode(const RecordBatch& batch, size_t row, int64_t time, bool flag,
                          std::string& out) const {
  if (fixed_width_) {
    // Sized once and written in place: no append (and capacity check) per field.
    const size_t begin = out.size();
    out.resize(begin + fixed_size_);
    char* at = out.data() + begin;
    *at++ = kFormat;
    std::memcpy(at, &time, sizeof time);
    at += sizeof time;
    *at++ = flag ? 1 : 0;
    for (size_t column_idx = 0; column_idx < kinds_.size(); ++column_idx) {
      const Column& column = batch.column(column_idx);
      if (column.IsNull(row)) {
        *at++ = 0;
        continue;
      }
      *at++ = 1;
      if (kinds_[column_idx] == PhysicalKind::kInt64) {
        const int64_t value = column.GetInt64(row);
        std::memcpy(at, &value, sizeof value);
      } else {
        const double value = column.GetDouble(row);
        std::memcpy(at, &value, sizeof value);
      }
      at += 8;
    }
    out.resize(static_cast<size_t>(at - out.data()));
    return;
  }
  out.push_back(kFormat);
  AppendRaw(time, out);
  out.push_back(flag ? 1 : 0);
  for (size_t column_idx = 0; column_idx < kinds_.size(); ++column_idx) {
    const Column& column = batch.column(column_idx);
    if (column.IsNull(row)) {
      out.push_back(0);
      continue;
    }
    out.push_back(1);
    switch (kinds_[column_idx]) {
      case PhysicalKind::kNull: break;
      case PhysicalKind::kInt64: AppendRaw(column.GetInt64(row), out); break;
      case PhysicalKind::kDouble: AppendRaw(column.GetDouble(row), out); break;
      case PhysicalKind::kString: {
        std::string_view text = column.GetString(row);
        AppendRaw(static_cast<uint32_t>(text.size()), out);
        out.append(text);
        break;
      }
      case PhysicalKind::kNested: {
        const size_t length_at = out.size();
        AppendRaw(uint32_t{0}, out);
        AppendValueJson(column.GetNested(row), out);
        const auto length = static_cast<uint32_t>(out.size() - length_at - sizeof(uint32_t));
        std::memcpy(out.data() + length_at, &length, sizeof length);
        break;
      }
    }
  }
}

Status JoinRowCodec::Decode(std::string_view bytes, RecordBatch& out, size_t first_column,
                            const std::vector<uint8_t>* only) {
  if (!Valid(bytes)) return Corrupt();
  size_t pos = kHeaderSize;
  for (size_t column_idx = 0; column_idx < kinds_.size(); ++column_idx) {
    Column& column = out.column(first_column + column_idx);
    if (pos >= bytes.size()) return Corrupt();
    const bool wanted = only == nullptr || (*only)[column_idx] != 0;
    if (bytes[pos++] == 0) {
      if (wanted) column.AppendNull();
      continue;
    }
    if (!wanted) {  // stepped over: numbers take 8 bytes, strings their length and bytes
      uint32_t length = 8;
      if (kinds_[column_idx] == PhysicalKind::kString ||
          kinds_[column_idx] == PhysicalKind::kNested) {
        if (!ReadRaw(bytes, &pos, &length)) return Corrupt();
      } else if (kinds_[column_idx] == PhysicalKind::kNull) {
        length = 0;
      }
      if (bytes.size() - pos < length) return Corrupt();
      pos += length;
      continue;
    }
    switch (kinds_[column_idx]) {
      case PhysicalKind::kNull: column.AppendNull(); break;
      case PhysicalKind::kInt64: {
        int64_t value = 0;
        if (!ReadRaw(bytes, &pos, &value)) return Corrupt();
        column.AppendInt64(value);
        break;
      }
      case PhysicalKind::kDouble: {
        double value = 0;
        if (!ReadRaw(bytes, &pos, &value)) return Corrupt();
        column.AppendDouble(value);
        break;
      }
      case PhysicalKind::kString:
      case PhysicalKind::kNested: {
        uint32_t length = 0;
        if (!ReadRaw(bytes, &pos, &length) || bytes.size() - pos < length) return Corrupt();
        std::string_view text = bytes.substr(pos, length);
        pos += length;
        if (kinds_[column_idx] == PhysicalKind::kString) {
          column.AppendString(text);
        } else {
          RETURN_NOT_OK(DecodeNested(column_idx, text, column));
        }
        break;
      }
    }
  }
  if (pos != bytes.size()) return Corrupt();
  return Status::OK();
}

Status JoinRowCodec::DecodeRows(const std::vector<std::string_view>& rows, RecordBatch& out,
                                size_t first_column, const std::vector<uint8_t>* only) {
  bool fixed = fixed_width_;
  for (size_t row = 0; fixed && row < rows.size(); ++row) {
    fixed = rows[row].size() == fixed_size_ && Valid(rows[row]);
  }
  if (!fixed) {
    for (std::string_view row : rows) RETURN_NOT_OK(Decode(row, out, first_column, only));
    return Status::OK();
  }
  for (size_t column_idx = 0; column_idx < kinds_.size(); ++column_idx) {
    if (only != nullptr && (*only)[column_idx] == 0) continue;
    Column& column = out.column(first_column + column_idx);
    const size_t at = kHeaderSize + 9 * column_idx;
    // A full-size row has no NULL (a NULL cell is its presence byte alone), so each presence
    // byte is 1; anything else is a corrupt row.
    for (std::string_view row : rows) {
      if (row[at] != 1) return Corrupt();
      if (kinds_[column_idx] == PhysicalKind::kInt64) {
        column.AppendInt64(LoadRaw<int64_t>(row.data() + at + 1));
      } else {
        column.AppendDouble(LoadRaw<double>(row.data() + at + 1));
      }
    }
  }
  return Status::OK();
}

Status JoinRowCodec::DecodeNested(size_t column_idx, std::string_view json, Column& column) {
  RecordBatch& scratch = nested_scratch_[column_idx];
  scratch.Clear();
  json_ = "{\"v\":";
  json_.append(json);
  json_ += "}";
  RETURN_NOT_OK(nested_decoders_[column_idx]->DecodeRow(json_, scratch));
  column.AppendFrom(scratch.column(0), 0);
  return Status::OK();
}

void JoinRowCodec::AppendInt(int64_t value, std::string& out) { AppendOrderedInt64(value, out); }

int64_t JoinRowCodec::ReadInt(std::string_view bytes) { return ReadOrderedInt64(bytes); }

}  // namespace sluice
