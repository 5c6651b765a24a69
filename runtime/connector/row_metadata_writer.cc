// See row_metadata_writer.h.

#include "runtime/connector/row_metadata_writer.h"

namespace sluice {

RowMetadataWriter::RowMetadataWriter(const SourceSpec& spec)
    : kinds_(spec.metadata),
      first_column_(spec.columns.size()),
      topic_(spec.topic),
      meta_type_(RowMetadataType(RowMetadata::kRowMeta)) {
  for (RowMetadata kind : kinds_) {
    needs_key_ |= kind == RowMetadata::kRowKey;
    needs_headers_ |= kind == RowMetadata::kRowMeta;
  }
}

void RowMetadataWriter::Append(const RecordOrigin& origin, RecordBatch& batch) const {
  for (size_t metadata_idx = 0; metadata_idx < kinds_.size(); ++metadata_idx) {
    Column& column = batch.column(first_column_ + metadata_idx);
    switch (kinds_[metadata_idx]) {
      case RowMetadata::kRowTime: column.AppendInt64(origin.timestamp); break;
      case RowMetadata::kRowKey:
        if (origin.key.has_value()) {
          column.AppendString(*origin.key);
        } else {
          column.AppendNull();
        }
        break;
      case RowMetadata::kRowMeta: {
        std::vector<std::string> names;
        std::vector<Value> values;
        for (const LogHeader& header : origin.headers) {
          names.emplace_back(header.name);
          values.push_back(Value::Varchar(std::string(header.value)));
        }
        const DataType& headers_type = meta_type_.children()[4];
        column.AppendNested(Value::Struct(
            meta_type_,
            {Value::Varchar(topic_), Value::Integer(origin.partition), Value::Bigint(origin.offset),
             Value::Varchar(std::string(origin.timestamp_type)),
             Value::Map(headers_type, std::move(names), std::move(values))}));
        break;
      }
    }
  }
}

}  // namespace sluice
