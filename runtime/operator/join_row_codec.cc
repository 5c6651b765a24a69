#include "runtime/operator/join_row_codec.h"

namespace sluice {

namespace {

Schema WithTimeAndFlag(const Schema& columns) {
  Schema schema = columns;
  schema.Add(Field{"__time", DataType::Bigint()});
  schema.Add(Field{"__flag", DataType::Boolean()});
  return schema;
}

std::vector<int> AllColumns(size_t count) {
  std::vector<int> columns(count);
  for (size_t column_idx = 0; column_idx < count; ++column_idx) {
    columns[column_idx] = static_cast<int>(column_idx);
  }
  return columns;
}

}  // namespace

JoinRowCodec::JoinRowCodec(const Schema& columns)
    : schema_(WithTimeAndFlag(columns)),
      width_(columns.size()),
      encoder_(schema_),
      decoder_(std::make_unique<JsonRecordDecoder>(schema_, AllColumns(schema_.size()))),
      scratch_(schema_) {}

JoinRowCodec::~JoinRowCodec() = default;

std::string JoinRowCodec::Encode(const JoinRow& row) {
  for (Column& column : scratch_.columns()) column.Clear();
  scratch_.meta().clear();
  scratch_.keys().clear();
  for (size_t column_idx = 0; column_idx < width_; ++column_idx) {
    scratch_.column(column_idx).AppendValue(row.values[column_idx]);
  }
  scratch_.column(width_).AppendInt64(row.time);
  scratch_.column(width_ + 1).AppendValue(Value::Boolean(row.flag));
  scratch_.meta().emplace_back();
  scratch_.keys().emplace_back();
  std::string json;
  encoder_.EncodeRow(scratch_, 0, json);
  return json;
}

Status JoinRowCodec::Decode(std::string_view json, JoinRow& row) {
  RecordBatch decoded(decoder_->output_schema());
  RETURN_NOT_OK(decoder_->DecodeRow(json, decoded));
  row.values.clear();
  for (size_t column_idx = 0; column_idx < width_; ++column_idx) {
    row.values.push_back(decoded.column(column_idx).GetValue(0));
  }
  row.time = decoded.column(width_).GetInt64(0);
  row.flag = !decoded.column(width_ + 1).IsNull(0) && decoded.column(width_ + 1).GetInt64(0) != 0;
  return Status::OK();
}

void JoinRowCodec::AppendInt(int64_t value, std::string& out) {
  auto bits = static_cast<uint64_t>(value) ^ (1ULL << 63);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(bits >> shift));
}

int64_t JoinRowCodec::ReadInt(std::string_view bytes) {
  uint64_t bits = 0;
  for (size_t byte_idx = 0; byte_idx < 8; ++byte_idx) {
    bits = (bits << 8) | static_cast<uint8_t>(bytes[byte_idx]);
  }
  return static_cast<int64_t>(bits ^ (1ULL << 63));
}

}  // namespace sluice
