#pragma once
// Executes one parsed statement for a session. One method per statement family, each in its own
// file under engine/execute/ (execute_ddl.cc, execute_show.cc, execute_insert.cc, ...). Positions
// in returned errors are relative to the statement text.

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "engine/engine.h"
#include "engine/engine_impl.h"
#include "parser/ast.h"
#include "planner/binder/binder.h"
#include "rbac/access_control.h"
#include "rbac/privilege.h"
#include "rbac/statement_requirements.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {

class StatementExecutor {
 public:
  // `text` is the statement's own text (what positions refer to).
  StatementExecutor(EngineImpl& engine, Session& session, std::string_view text,
                    ResultHandler& handler)
      : engine_(engine), session_(session), text_(text), handler_(handler) {}

  Status Execute(const Statement& statement);

 private:
  // Runs the statement's method (Execute adds the hint filter).
  Status Dispatch(const Statement& statement);
  // execute_ddl.cc
  Status CreateDatabase(const CreateDatabaseStatement& statement);
  Status CreateSchema(const CreateSchemaStatement& statement);
  Status UseDatabase(const UseDatabaseStatement& statement);
  Status UseSchema(const UseSchemaStatement& statement);
  Status Drop(const DropStatement& statement);
  // execute_drop.cc. REQUIRES: catalog mutex held.
  Status DropRelationCascade(const RelationInfo& relation, bool cascade, int64_t position);
  Status CreateRelation(const CreateRelationStatement& statement);
  // execute_store.cc
  Status CreateStore(const CreateStoreStatement& statement);
  Status AlterStore(const AlterStoreStatement& statement);  // execute_alter_store.cc
  // REQUIRES: catalog mutex held. Checks that a Kafka relation's topic exists in `store` and
  // records its partition count (a declared count that differs is an error); creates a missing
  // one with a declared count.
  Status CheckKafkaTopic(const StoreInfo& store, const PropertyList& declared,
                         std::map<std::string, std::string>& properties, int64_t position);
  // The two halves of CheckKafkaTopic, for a statement that must refuse what it refuses before
  // it creates anything: true when the topic is missing and a declared 'partitions' asks for it
  // (properties["partitions"] is then the declared count), and its creation.
  Result<bool> ResolveKafkaTopic(const StoreInfo& store, const PropertyList& declared,
                                 std::map<std::string, std::string>& properties, int64_t position);
  Status CreateRelationKafkaTopic(const StoreInfo& store, const PropertyList& declared,
                                  std::map<std::string, std::string>& properties, int64_t position);
  // REQUIRES: catalog mutex held. A sink producing `schema` rows to a Kafka relation.
  Result<SinkSpec> KafkaSinkSpec(const BoundRelation& target, const Schema& schema);
  // REQUIRES: catalog mutex held. End offsets of a relation's topic in its store (FLUSH).
  Result<std::vector<int64_t>> RelationEndOffsets(const RelationInfo& relation);
  // Creates the relation's topic in the local log, or checks an existing one's partition count.
  // Marks properties["topic.owned"] when it created the topic.
  Status EnsureTopic(std::map<std::string, std::string>& properties);
  // EnsureTopic without the creation: true when the topic is missing (properties["topic.owned"]
  // is then set, for the caller to create it).
  Result<bool> CheckLocalTopic(std::map<std::string, std::string>& properties);
  // execute_show.cc
  Status Show(const ShowStatement& statement);
  Status Describe(const DescribeStatement& statement);
  // execute_insert.cc
  Status InsertValues(const InsertValuesStatement& statement);
  // execute_query.cc
  Status Select(const SelectStatement& statement);
  Status CreateRelationAsSelect(const CreateRelationAsSelectStatement& statement);
  Status InsertSelect(const InsertSelectStatement& statement);
  Status Flush(const FlushStatement& statement);
  // execute_query_control.cc
  Status TerminateQuery(const TerminateQueryStatement& statement);
  Status RestartQuery(const RestartQueryStatement& statement);
  // The query `id` names, if it exists and the user may operate it (TERMINATE, RESTART) or, with
  // kMonitor, see it (EXPLAIN QUERY). REQUIRES: catalog mutex held.
  Result<QueryInfo> FindOperableQuery(const Identifier& id,
                                      rbac::Privilege privilege = rbac::Privilege::kOperate);
  // Stops a query's worker and records it TERMINATED with `reason`. REQUIRES: catalog mutex held.
  Status StopQuery(int64_t query_id, const std::string& reason);
  // RESTART QUERY of a TERMINATED query: refused, with `position`, when a relation it uses was
  // dropped or its repartition topic is gone.
  Status RequireResumable(const QueryInfo& query, int64_t position);
  // Before `relation` is dropped: the terminated queries using it can no longer resume, so their
  // repartition topics are deleted and RESTART QUERY will name the relation.
  Status ReleaseTerminatedQueries(const RelationInfo& relation);
  // REQUIRES: catalog mutex held. Plans `select` writing into `target`; appends the ids of the
  // relations it reads to `sources`.
  Result<std::unique_ptr<PhysicalPlan>> PlanPersistentQuery(const SelectStatement& select,
                                                            const BoundRelation& target,
                                                            std::vector<int64_t>* sources);
  // REQUIRES: catalog mutex held. Records the query in the catalog and starts its worker.
  Status LaunchPersistentQuery(std::unique_ptr<PhysicalPlan> plan, const std::string& sql,
                               int64_t sink_relation_id, const std::vector<int64_t>& sources);
  // REQUIRES: catalog mutex held. The rest of LaunchPersistentQuery once the query has its id
  // and repartition topics: pins its positions, stores its plan and starts its workers.
  Status StartCreatedQuery(PhysicalPlan& plan, int64_t query_id);
  // execute_explain.cc: EXPLAIN statement (planned, not run) and EXPLAIN QUERY id (its stored
  // plan).
  Status Explain(const ExplainStatement& statement);
  Status ExplainQuery(const ExplainStatement& statement);
  // Interactive SELECT's plan, bound and checked as Select does. REQUIRES: catalog mutex held.
  Result<std::unique_ptr<PhysicalPlan>> PlanSelect(const SelectStatement& statement);
  // While EXPLAIN plans a persistent-query statement: the statement's method binds, checks and
  // plans as it would run, then hands its plan here instead of creating anything.
  bool explaining() const { return explained_plan_ != nullptr; }
  // execute_view_read.cc: a snapshot read of a materialized view.
  Status SelectFromView(const SelectStatement& statement);
  // execute_view_admin.cc. REQUIRES: catalog mutex held. DESCRIBE's view properties.
  Status DescribeView(const RelationInfo& view,
                      const std::function<void(std::string, std::string)>& add);
  // REQUIRES: catalog mutex held. Deletes the view store kept by query `query_id`.
  Status DropViewStore(int64_t query_id);
  // A view is written only by its own query: INSERT INTO one is refused.
  static Status RefuseInsertIntoView(const BoundRelation& target, int64_t position);
  // execute_privileges.cc. REQUIRES: catalog mutex held. PERMISSION errors carry `position`.
  Status RequireOnRelation(const BoundRelation& bound, rbac::Privilege privilege, int64_t position);
  // Everything `kind` needs (rbac/statement_requirements.h); `object` names it in the audit log.
  Status RequireStatement(rbac::StatementKind kind, const rbac::StatementTargets& targets,
                          const std::string& object, int64_t position);
  // USAGE on the database and schema and CREATE on the schema, for a new relation.
  Status RequireCreateInSchema(const DatabaseInfo& database, const SchemaInfo& schema,
                               int64_t position);
  // TERMINATE/RESTART (OPERATE) and DESCRIBE (MONITOR, or OPERATE) of a query: its owner, the
  // privilege on it, or MANAGE_QUERIES. A query the role cannot see reads as missing.
  Status RequireOnQuery(int64_t query_id, rbac::Privilege privilege, int64_t position);
  // USAGE on the store a new relation lives in (its owner has it).
  Status RequireStoreUsage(const StoreInfo& store, int64_t position);
  // SELECT on every relation a FROM clause reads (through windows and joins).
  Status RequireSelectOnSources(Binder& binder, const FromItem& from);
  // execute_governance.cc
  Status CreateRole(const CreateRoleStatement& statement);
  Status CreateUser(const CreateUserStatement& statement);
  Status DropRole(const DropRoleStatement& statement);    // also DROP USER
  Status GrantRole(const GrantRoleStatement& statement);  // also REVOKE ROLE
  Status UseRole(const UseRoleStatement& statement);
  // After USE ROLE: refuses the statement when the user no longer holds the session's role.
  Status RecheckChosenRole(int64_t position);
  // Appends an access decision of a governance statement to the audit log; returns `decision`
  // (with `position` when denied).
  Status AuditGovernance(const std::string& action, const std::string& object,
                         const Status& decision, int64_t position);
  // A CATALOG error naming the unknown `name`, with the closest of `known` as a suggestion.
  static Status UnknownName(const std::string& what, const std::string& name,
                            const std::vector<std::string>& known, int64_t position);
  // OK when `role` names a role (not a user's own role), else UnknownName.
  static Status RequireKnownRole(const rbac::AccessControl& access, const Identifier& role);
  // execute_grants.cc. REQUIRES (BindGrantObject): catalog mutex held.
  Status GrantPrivileges(const GrantPrivilegesStatement& statement);  // also REVOKE
  Result<rbac::ObjectRef> BindGrantObject(const GrantPrivilegesStatement& statement);
  Status ShowGovernance(const ShowGovernanceStatement& statement);
  // execute_governance.cc
  Status AlterUser(const AlterUserStatement& statement);
  // execute_ownership.cc. REQUIRES (all): catalog mutex held.
  // GRANT OWNERSHIP ON object TO ROLE r: the owner (or MANAGE_GRANTS) hands the object over.
  Status GrantOwnership(const GrantPrivilegesStatement& statement, rbac::AccessControl& access,
                        const rbac::ObjectRef& object);
  // The session's role must own `object` (through a role it holds) or hold MANAGE_GRANTS; audited.
  Status RequireOwnership(const rbac::ObjectRef& object, int64_t position);
  // The object is being dropped: the grants on it (and on what it contains) go too, so a new
  // object of the same name starts with none.
  Status ForgetGrantsOn(const rbac::ObjectRef& dropped);
  // execute_visibility.cc. REQUIRES: catalog mutex held. A denial about an object the role cannot
  // see (or whose database or schema it cannot see) becomes the binder's "does not exist" error;
  // other denials get `position`.
  Status HideInvisible(const rbac::AccessControl& access, const rbac::ObjectRef& object,
                       const Status& denial, int64_t position);
  // Drops the "(did you mean "x"?)" of a "does not exist" error when no database, schema,
  // relation or store of that name (whichever the error is about) is visible to the role.
  Status HideHint(const Status& error);
  // REQUIRES: catalog mutex held. Whether the role may see (`select`: read) the local topic
  // `topic`: it sees (holds SELECT on) a relation of the local store over it, or holds
  // MANAGE_GRANTS.
  Result<bool> CanReadTopic(const std::string& topic, bool select);
  // The dotted name written at `position` of the statement ("" when none is there).
  std::string WrittenName(int64_t position) const;
  // The same "does not exist" error unless the role can see `object` and its containers.
  Status RequireVisible(const rbac::ObjectRef& object, int64_t position);
  // execute_can_i.cc
  Status CanI(const CanIStatement& statement);
  // REQUIRES: catalog mutex held. Binds the object named in CAN I / SHOW GRANTS ON / GRANT.
  Result<rbac::ObjectRef> BindNamedObject(const std::string& kind_name, const QualifiedName& name,
                                          int64_t position);
  // execute_recheck.cc. REQUIRES: catalog mutex held. A persistent query runs with its owner
  // role's rights: after a grant change, every query whose owner no longer may read its sources
  // or write its sink is stopped with the PERMISSION error as its reason.
  Status RecheckPersistentQueries(const std::string& cause);
  // REQUIRES: catalog mutex held. OK while the query's owner may read its sources and write its
  // sink; else the PERMISSION error (also checked by RESTART QUERY).
  Status QueryOwnerAllowed(const rbac::AccessControl& access, const QueryInfo& query);
  // QueryOwnerAllowed as a statement's error at `position`. REQUIRES: catalog mutex held.
  Status RequireOwnerRights(const QueryInfo& query, int64_t position);
  // execute_audit_log.cc: SELECT ... FROM sluice.sys.audit_log (READ_AUDIT), read as a snapshot.
  static bool IsAuditLogRead(const SelectStatement& statement);
  // CREATE DATABASE sluice is refused: the name holds the system relations.
  static Status RefuseSystemDatabase(const std::string& name, int64_t position);
  Status SelectAuditLog(const SelectStatement& statement);
  // REQUIRES (both): catalog mutex held. The relation, created on first use; and its topic
  // brought up to the log's last record (returns the topic's end offset).
  Result<RelationInfo> EnsureAuditLogRelation();
  Result<int64_t> SyncAuditLogTopic(const RelationInfo& relation);
  // execute_print.cc
  Status PrintTopic(const PrintTopicStatement& statement);

  // Sends a small fully materialized result (SHOW, DESCRIBE) to the handler.
  Status EmitRows(const Schema& schema, const std::vector<std::vector<Value>>& rows);
  std::string_view text() const { return text_; }

  EngineImpl& engine_;
  Session& session_;
  std::string_view text_;
  ResultHandler& handler_;
  std::unique_ptr<PhysicalPlan>* explained_plan_ = nullptr;
};

}  // namespace sluice
