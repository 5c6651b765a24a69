#include "runtime/connector/connector_factory.h"

#include "runtime/connector/datagen/datagen_source.h"
#include "runtime/connector/kafka/kafka_sink.h"
#include "runtime/connector/kafka/kafka_source.h"
#include "runtime/connector/local_log_sink.h"
#include "runtime/connector/local_log_source.h"
#include "runtime/connector/view_sink.h"
#include "runtime/connector/view_source.h"

namespace sluice {

Result<std::unique_ptr<Source>> CreateSource(const SourceSpec& spec, const std::string& data_dir) {
  if (spec.store_type == "local") {
    ASSIGN_OR_RETURN(auto source, LocalLogSource::Open(spec, data_dir + "/log"));
    return std::unique_ptr<Source>(std::move(source));
  }
  if (spec.store_type == "datagen") return CreateDatagenSource(spec);
  if (spec.store_type == "view") {
    ASSIGN_OR_RETURN(auto source, ViewSnapshotSource::Open(spec));
    return std::unique_ptr<Source>(std::move(source));
  }
  if (spec.store_type == "kafka") {
    ASSIGN_OR_RETURN(auto source, KafkaSource::Open(spec, data_dir));
    return std::unique_ptr<Source>(std::move(source));
  }
  return Status::Connector("store type '" + spec.store_type + "' has no source connector yet");
}

Result<std::unique_ptr<Sink>> CreateSink(const SinkSpec& spec, const std::string& data_dir) {
  switch (spec.kind) {
    case SinkKind::kLocalLog: {
      ASSIGN_OR_RETURN(auto sink, LocalLogSink::Open(spec, data_dir + "/log"));
      return std::unique_ptr<Sink>(std::move(sink));
    }
    case SinkKind::kDiscard: return std::unique_ptr<Sink>(std::make_unique<DiscardSink>());
    case SinkKind::kKafka: {
      ASSIGN_OR_RETURN(auto sink, KafkaSink::Open(spec));
      return std::unique_ptr<Sink>(std::move(sink));
    }
    case SinkKind::kView: {
      ASSIGN_OR_RETURN(auto sink, ViewSink::Open(spec, data_dir));
      return std::unique_ptr<Sink>(std::move(sink));
    }
    case SinkKind::kCollect: break;
  }
  return Status::Internal("a collecting sink must be supplied by the caller");
}

}  // namespace sluice
