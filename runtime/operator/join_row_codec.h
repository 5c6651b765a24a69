#pragma once
// The state-table value of a row a join keeps (a buffered interval-join row, a changelog
// version): its columns, its event time and one flag (matched / deleted), as one JSON object.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/batch.h"
#include "common/json_codec.h"
#include "common/status.h"

namespace sluice {

struct JoinRow {
  int64_t time = 0;
  bool flag = false;  // interval join: matched at least once; temporal join: a delete
  std::vector<Value> values;
};

class JoinRowCodec {
 public:
  // `columns`: the schema of the side's rows.
  explicit JoinRowCodec(const Schema& columns);
  ~JoinRowCodec();
  JoinRowCodec(const JoinRowCodec&) = delete;
  JoinRowCodec& operator=(const JoinRowCodec&) = delete;

  std::string Encode(const JoinRow& row);
  Status Decode(std::string_view json, JoinRow& row);

  // Order-preserving 8-byte encoding of a time or id, for state-table keys.
  static void AppendInt(int64_t value, std::string& out);
  static int64_t ReadInt(std::string_view bytes);

 private:
  Schema schema_;  // columns, then __time, __flag
  size_t width_;
  JsonRecordEncoder encoder_;
  std::unique_ptr<JsonRecordDecoder> decoder_;
  RecordBatch scratch_;
};

}  // namespace sluice
