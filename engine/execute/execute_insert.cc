// INSERT INTO relation [(columns)] VALUES (...), ...: evaluates the constant rows, encodes them as
// the relation's records and appends them to its topic, durably, before acknowledging.

#include <vector>

#include "common/clock.h"
#include "engine/execute/statement_executor.h"
#include "planner/binder/binder.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/relation_schema.h"
#include "runtime/connector/kafka/kafka_sink.h"
#include "runtime/connector/local_log_sink.h"

namespace sluice {

Status StatementExecutor::InsertValues(const InsertValuesStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
  ASSIGN_OR_RETURN(BoundRelation bound, binder.BindRelation(statement.target));
  RETURN_NOT_OK(RequireOnRelation(bound, rbac::Privilege::kInsert, statement.target.position));
  RETURN_NOT_OK(RefuseInsertIntoView(bound, statement.target.position));
  if (bound.store.type != "local" && bound.store.type != "kafka") {
    return Status::Binder(
        "INSERT INTO ... VALUES writes only to relations on the local store "
        "or a Kafka store; "
        "\"" +
            bound.qualified_name + "\" is on store \"" + bound.store.name + "\"",
        statement.target.position);
  }
  Schema schema = RelationColumns(bound.relation);

  // Which relation column each VALUES position fills.
  std::vector<int> targets;
  if (statement.columns.empty()) {
    for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
      targets.push_back(static_cast<int>(column_idx));
    }
  } else {
    for (const Identifier& column : statement.columns) {
      int index = schema.IndexOf(column.name);
      if (index < 0) {
        return Status::Binder("column \"" + column.name + "\" of relation \"" +
                                  bound.qualified_name + "\" does not exist",
                              column.position);
      }
      for (int seen : targets) {
        if (seen == index) {
          return Status::Binder("column \"" + column.name + "\" is listed twice", column.position);
        }
      }
      targets.push_back(index);
    }
  }

  ASSIGN_OR_RETURN(int timestamp_column, TimestampColumn(bound.relation, schema));
  const int32_t partitions = RelationPartitions(bound.relation);
  const int64_t now = CurrentTimeMillis();
  RecordBatch batch(schema);
  for (size_t row_idx = 0; row_idx < statement.rows.size(); ++row_idx) {
    const ExprList& row = statement.rows[row_idx];
    if (row.size() != targets.size()) {
      return Status::Binder("VALUES row has " + std::to_string(row.size()) +
                                " values but the insert expects " + std::to_string(targets.size()) +
                                " columns",
                            statement.row_positions[row_idx]);
    }
    std::vector<Value> values(schema.size());
    for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
      values[column_idx] = Value::Null(schema.field(column_idx).type);
    }
    for (size_t value_idx = 0; value_idx < row.size(); ++value_idx) {
      const Field& field = schema.field(static_cast<size_t>(targets[value_idx]));
      Result<Value> value = EvaluateConstant(*row[value_idx], field.type);
      if (!value.ok()) {
        return value.status().WithContext("column \"" + field.name + "\"");
      }
      values[static_cast<size_t>(targets[value_idx])] = std::move(value).value();
    }
    for (size_t column_idx = 0; column_idx < schema.size(); ++column_idx) {
      batch.column(column_idx).AppendValue(values[column_idx]);
    }
    // Event time: the 'timestamp' column when the relation has one (NULL there means now),
    // otherwise the time of the insert. Keyless rows spread round-robin over the partitions.
    RecordMeta meta;
    meta.timestamp = now;
    if (timestamp_column >= 0 && !values[static_cast<size_t>(timestamp_column)].is_null()) {
      meta.timestamp = values[static_cast<size_t>(timestamp_column)].int_value();
    }
    meta.partition = static_cast<int32_t>(row_idx % static_cast<size_t>(partitions));
    batch.meta().push_back(meta);
    batch.keys().emplace_back();
  }

  if (bound.store.type == "kafka") {
    // Acknowledged only once Kafka has acknowledged every record (KafkaSink::Flush).
    ASSIGN_OR_RETURN(SinkSpec spec, KafkaSinkSpec(bound, schema));
    ASSIGN_OR_RETURN(spec.properties, engine_.StoreClientSettings(bound.store));
    ASSIGN_OR_RETURN(std::unique_ptr<KafkaSink> sink, KafkaSink::Open(spec));
    RETURN_NOT_OK(sink->Write(batch));
    RETURN_NOT_OK(sink->Flush());
    handler_.OnCommandComplete("INSERT 0 " + std::to_string(sink->records_out()));
    return Status::OK();
  }
  ASSIGN_OR_RETURN(std::vector<int> key_columns, RelationKeyColumns(bound.relation, schema));
  LocalLogWriterCache writers(engine_.log());
  JsonRecordEncoder encoder(schema);
  TopicAppendScratch scratch;
  ASSIGN_OR_RETURN(int64_t appended,
                   AppendRowsToTopic(writers, RelationTopic(bound.relation), partitions, encoder,
                                     batch, key_columns, scratch));
  RETURN_NOT_OK(writers.SyncAll());
  handler_.OnCommandComplete("INSERT 0 " + std::to_string(appended));
  return Status::OK();
}

}  // namespace sluice
