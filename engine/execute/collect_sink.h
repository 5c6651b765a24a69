#pragma once
// The sink of an interactive query: hands its batches to the client's ResultHandler.

#include "engine/engine.h"
#include "runtime/connector/source.h"

namespace sluice {

class CollectSink final : public Sink {
 public:
  explicit CollectSink(ResultHandler& handler) : handler_(handler) {}
  Status Write(const RecordBatch& batch) override {
    records_out_ += static_cast<int64_t>(batch.num_rows());
    return handler_.OnRows(batch);
  }
  Status Flush() override { return Status::OK(); }
  int64_t records_out() const override { return records_out_; }

 private:
  ResultHandler& handler_;
  int64_t records_out_ = 0;
};

}  // namespace sluice
