// SELECT ... FROM sluice.sys.audit_log: the audit log as a relation, for roles holding READ_AUDIT.
// The relation is an ordinary local-log stream (created on first use, owned by securityadmin);
// each read first appends the audit records its topic does not have yet (the topic holds record
// n at offset n-1, so its end offset says where to continue), then runs the query as a snapshot:
// it ends once it has read what was there when it started, instead of waiting for more.

#include <chrono>

#include "engine/execute/collect_sink.h"
#include "engine/execute/statement_executor.h"
#include "engine/governance/load_access_control.h"
#include "planner/binder/binder.h"
#include "planner/binder/relation_schema.h"
#include "planner/physical_planner.h"
#include "runtime/connector/local_log_sink.h"
#include "runtime/pipeline/pipeline.h"

namespace sluice {

namespace {

constexpr const char* kAuditDatabase = "sluice";
constexpr const char* kAuditSchema = "sys";
constexpr const char* kAuditRelation = "audit_log";
constexpr const char* kAuditTopic = "sluice_sys_audit_log";

Schema AuditLogColumns() {
  Schema schema;
  schema.Add(Field{"seq", DataType::Bigint()});
  schema.Add(Field{"time", DataType::Timestamp()});
  for (const char* name :
       {"user", "role", "client", "action", "object", "result", "detail", "hash"}) {
    schema.Add(Field{name, DataType::Varchar()});
  }
  return schema;
}

}  // namespace

Status StatementExecutor::RefuseSystemDatabase(const std::string& name, int64_t position) {
  if (name != kAuditDatabase) return Status::OK();
  return Status::Catalog("database name \"" + name + "\" is reserved for the system catalog",
                         position);
}

bool StatementExecutor::IsAuditLogRead(const SelectStatement& statement) {
  if (!statement.from || statement.from->kind != FromKind::kRelation) return false;
  const std::vector<std::string>& parts = statement.from->As<RelationRef>().name.parts;
  return parts.size() == 3 && parts[0] == kAuditDatabase && parts[1] == kAuditSchema &&
         parts[2] == kAuditRelation;
}

Result<RelationInfo> StatementExecutor::EnsureAuditLogRelation() {
  Catalog& catalog = engine_.catalog();
  const std::string owner = rbac::kSecurityAdmin;
  ASSIGN_OR_RETURN(std::optional<DatabaseInfo> database, catalog.FindDatabase(kAuditDatabase));
  if (!database) {
    ASSIGN_OR_RETURN(database, catalog.CreateDatabase(kAuditDatabase, owner));
  }
  ASSIGN_OR_RETURN(std::optional<SchemaInfo> schema,
                   catalog.FindSchema(database->id, kAuditSchema));
  if (!schema) {
    ASSIGN_OR_RETURN(schema, catalog.CreateSchema(database->id, kAuditSchema, owner));
  }
  ASSIGN_OR_RETURN(std::optional<RelationInfo> existing,
                   catalog.FindRelation(schema->id, kAuditRelation));
  if (existing) {
    // Only the relation made here (owned by securityadmin, over its own topic) is the log: a
    // look-alike would receive every audit record.
    if (existing->owner != owner || RelationTopic(*existing) != kAuditTopic) {
      return Status::Internal("sluice.sys.audit_log is not the system's relation (owner \"" +
                              existing->owner + "\"); drop it");
    }
    return *existing;
  }
  Schema columns = AuditLogColumns();
  PropertyList declared(2);
  declared[0].key = "topic", declared[0].value = kAuditTopic;
  declared[1].key = "timestamp", declared[1].value = "time";
  ASSIGN_OR_RETURN(auto properties, BindRelationProperties(declared, kAuditTopic, columns));
  RETURN_NOT_OK(EnsureTopic(properties));
  ASSIGN_OR_RETURN(StoreInfo store, catalog.GetStore(properties["store"]));
  RelationInfo relation;
  relation.schema_id = schema->id;
  relation.name = kAuditRelation;
  relation.columns = columns.fields();
  relation.properties = properties;
  relation.store_id = store.id;
  relation.owner = owner;
  return catalog.CreateRelation(relation);
}

Result<int64_t> StatementExecutor::SyncAuditLogTopic(const RelationInfo& relation) {
  const std::string topic = RelationTopic(relation);
  ASSIGN_OR_RETURN(std::vector<int64_t> ends, engine_.log().EndOffsets(topic));
  const int64_t have = ends.empty() ? 0 : ends[0];
  ASSIGN_OR_RETURN(std::vector<rbac::AuditRecord> records, engine_.audit_log().ReadAll());
  Schema schema = AuditLogColumns();
  RecordBatch batch(schema);
  for (const rbac::AuditRecord& record : records) {
    if (record.sequence <= have) continue;
    batch.column(0).AppendValue(Value::Bigint(record.sequence));
    batch.column(1).AppendValue(Value::Timestamp(record.time_ms));
    const std::string* texts[] = {&record.user,   &record.role,   &record.client, &record.action,
                                  &record.object, &record.result, &record.detail, &record.hash};
    for (size_t text_idx = 0; text_idx < 8; ++text_idx) {
      batch.column(text_idx + 2).AppendValue(Value::Varchar(*texts[text_idx]));
    }
    RecordMeta meta;
    meta.timestamp = record.time_ms;
    meta.partition = 0;
    batch.meta().push_back(meta);
    batch.keys().emplace_back();
  }
  if (batch.num_rows() == 0) return have;
  LocalLogWriterCache writers(engine_.log());
  JsonRecordEncoder encoder(schema);
  TopicAppendScratch scratch;
  ASSIGN_OR_RETURN(int64_t appended,
                   AppendRowsToTopic(writers, topic, 1, encoder, batch, {}, scratch));
  RETURN_NOT_OK(writers.SyncAll());
  return have + appended;
}

Status StatementExecutor::SelectAuditLog(const SelectStatement& statement) {
  const int64_t position = statement.from->As<RelationRef>().position;
  std::unique_ptr<PhysicalPlan> plan;
  int64_t end = 0;
  {
    std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
    ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> access,
                     LoadAccessControl(engine_.catalog()));
    RETURN_NOT_OK(AuditGovernance("access READ_AUDIT", "sluice.sys.audit_log",
                                  access->Require(session_.role(), rbac::Privilege::kReadAudit,
                                                  {rbac::ObjectKind::kOrganization, ""}),
                                  position));
    ASSIGN_OR_RETURN(RelationInfo relation, EnsureAuditLogRelation());
    ASSIGN_OR_RETURN(end, SyncAuditLogTopic(relation));
    Binder binder(engine_.catalog(), session_.current_database_, session_.current_schema_);
    ASSIGN_OR_RETURN(std::unique_ptr<LogicalOperator> logical, binder.BindSelect(statement));
    ASSIGN_OR_RETURN(plan, CreatePhysicalPlan(std::move(logical)));
  }
  Schema output = plan->output_schema();
  ASSIGN_OR_RETURN(std::unique_ptr<Pipeline> pipeline,
                   Pipeline::Create(std::move(plan), engine_.data_dir(),
                                    std::make_unique<CollectSink>(handler_)));
  handler_.OnResultStart(output);
  // A snapshot: done once the source has read every record that was synced above.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!session_.cancel_requested_.load(std::memory_order_relaxed)) {
    bool idle = false;
    bool finished = false;
    Status status = pipeline->Step(&idle, &finished);
    if (!status.ok()) {
      handler_.OnResultEnd(pipeline->progress().records_out);
      return status;
    }
    if (finished) break;
    if (!idle) continue;
    std::vector<int64_t> read = pipeline->source().positions();
    if ((!read.empty() && read[0] >= end) || std::chrono::steady_clock::now() > deadline) break;
    pipeline->source().WaitForData(20);
  }
  handler_.OnResultEnd(pipeline->progress().records_out);
  return Status::OK();
}

}  // namespace sluice
