#pragma once
// The abstract syntax tree of Sluice SQL: statements, SELECT and its FROM items, over the parsed
// expressions of parser/expression.h. A tree of std::unique_ptr; every node keeps the byte offset
// of its text (into the text given to the parser) so later stages can point at the culprit.

#include <cassert>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parser/expression.h"

namespace sluice {

// An unquoted-folded or quoted name with where it was written.
struct Identifier {
  std::string name;
  int64_t position = -1;
};

// `rel`, `schema.rel` or `db.schema.rel` (each statement limits how many parts it accepts).
struct QualifiedName {
  std::vector<std::string> parts;
  int64_t position = -1;  // of the first part

  // Parts joined with '.', quoted where needed: "shop.raw.pageviews".
  std::string ToString() const;
};

enum class PropertyValueKind : uint8_t { kString, kNumber, kBoolean };

// One `'key' = value` of a WITH (...) list. String keys keep their case; bare-identifier keys
// (WITH (topic = 'x') or value.format = 'json') are folded to lower case.
struct Property {
  std::string key;
  int64_t key_position = -1;
  PropertyValueKind value_kind = PropertyValueKind::kString;
  // kString: unescaped content; kNumber: digits as written ("-5", "0.5"); kBoolean: "true"/"false".
  std::string value;
  int64_t value_position = -1;
};

// In written order; the parser rejects duplicate keys.
using PropertyList = std::vector<Property>;

// ---------------------------------------------------------------------------------------------
// FROM items

enum class FromKind : uint8_t { kRelation, kWindow, kJoin };

struct FromItem {
  FromItem(FromKind kind, int64_t position) : kind(kind), position(position) {}
  virtual ~FromItem() = default;
  FromItem(const FromItem&) = delete;
  FromItem& operator=(const FromItem&) = delete;

  template <typename T>
  const T& As() const {
    assert(kind == T::kKind);
    return static_cast<const T&>(*this);
  }

  const FromKind kind;
  int64_t position;   // first token
  std::string alias;  // empty when none; always empty for joins
  int64_t alias_position = -1;
};

using FromItemPtr = std::unique_ptr<FromItem>;

// qname [[AS] alias] [WITH (source properties)]
struct RelationRef final : FromItem {
  static constexpr FromKind kKind = FromKind::kRelation;
  explicit RelationRef(int64_t position) : FromItem(kKind, position) {}

  QualifiedName name;
  PropertyList properties;  // e.g. 'starting.position', 'source.allow.latency.millis'
};

enum class WindowKind : uint8_t { kTumble, kHop, kSession };

// TUMBLE(input, SIZE d) | HOP(input, SIZE d, ADVANCE BY d) | SESSION(input, GAP d) [[AS] alias]
struct WindowRef final : FromItem {
  static constexpr FromKind kKind = FromKind::kWindow;
  explicit WindowRef(int64_t position) : FromItem(kKind, position) {}

  WindowKind window_kind = WindowKind::kTumble;
  FromItemPtr input;
  Duration size;     // TUMBLE, HOP
  Duration advance;  // HOP
  Duration gap;      // SESSION
};

enum class JoinKind : uint8_t { kInner, kLeft, kRight, kFull };

// The time bound of an interval join. WITHIN d gives before = after = d; WITHIN (a, b) gives
// before = a, after = b (how the two bound the right side's time is the planner's definition).
struct JoinWithin {
  Duration before;
  Duration after;
  bool pair_syntax = false;  // written as WITHIN (a, b)
  int64_t position = -1;     // of WITHIN
};

// left [kind] JOIN right [WITHIN ...] ON condition. Joins chain to the left: a JOIN b JOIN c is
// (a JOIN b) JOIN c.
struct JoinRef final : FromItem {
  static constexpr FromKind kKind = FromKind::kJoin;
  explicit JoinRef(int64_t position) : FromItem(kKind, position) {}

  JoinKind join_kind = JoinKind::kInner;
  int64_t join_position = -1;  // of the JOIN keyword (or the LEFT/RIGHT/FULL/INNER before it)
  FromItemPtr left;
  FromItemPtr right;
  std::optional<JoinWithin> within;
  ExprPtr condition;
};

// ---------------------------------------------------------------------------------------------
// Statements

enum class StatementKind : uint8_t {
  kCreateDatabase,
  kCreateSchema,
  kUseDatabase,
  kUseSchema,
  kDrop,
  kShow,
  kDescribe,
  kCreateRelation,          // CREATE STREAM|CHANGELOG name (columns) [WITH (...)]
  kCreateRelationAsSelect,  // CREATE STREAM|CHANGELOG|MATERIALIZED VIEW name [WITH] AS SELECT
  kCreateStore,
  kAlterStore,
  kInsertValues,
  kInsertSelect,
  kSelect,
  kTerminateQuery,
  kRestartQuery,
  kFlush,
  kPrintTopic,
  kCreateRole,
  kCreateUser,
  kDropRole,         // DROP ROLE and DROP USER
  kGrantRole,        // GRANT ROLE and REVOKE ROLE
  kGrantPrivileges,  // GRANT and REVOKE of privileges
  kUseRole,
  kShowGovernance,  // SHOW ROLES, SHOW USERS, SHOW GRANTS
  kAlterUser,
  kCanI,
  kExplain,
};

// Base of every statement. [begin, end) is the statement's text without the trailing ';'
// (a nested SELECT has its own span, e.g. the query text of CREATE STREAM ... AS SELECT).
struct Statement {
  Statement(StatementKind kind, int64_t position) : kind(kind), position(position) {}
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  template <typename T>
  const T& As() const {
    assert(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    assert(kind == T::kKind);
    return static_cast<T&>(*this);
  }

  const StatementKind kind;
  int64_t position;  // first token; equals begin
  int64_t begin = -1;
  int64_t end = -1;
};

using StatementPtr = std::unique_ptr<Statement>;

struct SelectItem {
  ExprPtr expr;       // a StarExpr for `*` and `t.*`
  std::string alias;  // empty when none (the column is then named ToSql(*expr))
  int64_t alias_position = -1;
};

enum class NullsOrder : uint8_t { kDefault, kFirst, kLast };

struct OrderByItem {
  ExprPtr expr;
  bool descending = false;
  NullsOrder nulls = NullsOrder::kDefault;
};

enum class EmitMode : uint8_t { kDefault, kChanges, kFinal };

// SELECT [DISTINCT] items [FROM from] [WHERE] [GROUP BY] [HAVING] [EMIT CHANGES|FINAL]
// [ORDER BY] [LIMIT n]. FROM is optional in the grammar (SELECT 1 + 1); the binder decides.
struct SelectStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kSelect;
  explicit SelectStatement(int64_t position) : Statement(kKind, position) {}

  bool distinct = false;
  std::vector<SelectItem> items;
  FromItemPtr from;  // may be null
  ExprPtr where;     // may be null
  ExprList group_by;
  ExprPtr having;  // may be null
  EmitMode emit = EmitMode::kDefault;
  int64_t emit_position = -1;
  std::vector<OrderByItem> order_by;
  std::optional<int64_t> limit;
  int64_t limit_position = -1;
};

using SelectPtr = std::unique_ptr<SelectStatement>;

struct CreateDatabaseStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateDatabase;
  explicit CreateDatabaseStatement(int64_t position) : Statement(kKind, position) {}
  bool if_not_exists = false;
  QualifiedName name;  // one part
};

struct CreateSchemaStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateSchema;
  explicit CreateSchemaStatement(int64_t position) : Statement(kKind, position) {}
  bool if_not_exists = false;
  QualifiedName name;  // [db.]schema
};

struct UseDatabaseStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kUseDatabase;
  explicit UseDatabaseStatement(int64_t position) : Statement(kKind, position) {}
  QualifiedName name;  // one part
};

struct UseSchemaStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kUseSchema;
  explicit UseSchemaStatement(int64_t position) : Statement(kKind, position) {}
  QualifiedName name;  // [db.]schema
};

enum class ObjectType : uint8_t {
  kDatabase,
  kSchema,
  kRelation,  // any of stream, changelog, materialized view
  kStream,
  kChangelog,
  kMaterializedView,
  kStore,
  kQuery,
};

// SQL spelling: "DATABASE", "MATERIALIZED VIEW", ...
const char* ObjectTypeName(ObjectType type);

enum class DropBehavior : uint8_t { kDefault, kCascade, kRestrict };

// DROP {DATABASE|SCHEMA|STREAM|CHANGELOG|MATERIALIZED VIEW|RELATION|STORE} [IF EXISTS] name
// [CASCADE|RESTRICT]
struct DropStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kDrop;
  explicit DropStatement(int64_t position) : Statement(kKind, position) {}
  ObjectType object_type = ObjectType::kRelation;
  bool if_exists = false;
  QualifiedName name;  // database: 1 part; schema: up to 2; store: 1; relations: up to 3
  DropBehavior behavior = DropBehavior::kDefault;
};

enum class ShowKind : uint8_t {
  kDatabases,
  kSchemas,    // [IN [DATABASE] d]
  kRelations,  // [IN [SCHEMA] [d.]s] (also for the next three)
  kStreams,
  kChangelogs,
  kMaterializedViews,
  kStores,
  kQueries,
  kTopics,  // [IN [STORE] s]
};

struct ShowStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kShow;
  explicit ShowStatement(int64_t position) : Statement(kKind, position) {}
  ShowKind what = ShowKind::kDatabases;
  std::optional<QualifiedName> scope;  // the IN ... part
};

// DESCRIBE [RELATION|STREAM|CHANGELOG|MATERIALIZED VIEW] name | DESCRIBE QUERY id |
// DESCRIBE STORE name. Without a type word, object_type is kRelation.
struct DescribeStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kDescribe;
  explicit DescribeStatement(int64_t position) : Statement(kKind, position) {}
  ObjectType object_type = ObjectType::kRelation;
  QualifiedName name;   // unused for kQuery
  Identifier query_id;  // kQuery only: the id as written (digits, a name or a string)
};

enum class RelationKind : uint8_t { kStream, kChangelog, kMaterializedView };

struct ColumnDef {
  std::string name;
  int64_t position = -1;
  TypeName type;
  bool not_null = false;
};

struct CreateRelationStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateRelation;
  explicit CreateRelationStatement(int64_t position) : Statement(kKind, position) {}
  RelationKind relation_kind = RelationKind::kStream;  // never kMaterializedView
  bool if_not_exists = false;
  QualifiedName name;
  std::vector<ColumnDef> columns;       // at least one
  std::vector<Identifier> primary_key;  // empty when no PRIMARY KEY clause
  int64_t primary_key_position = -1;
  PropertyList properties;
};

struct CreateRelationAsSelectStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateRelationAsSelect;
  explicit CreateRelationAsSelectStatement(int64_t position) : Statement(kKind, position) {}
  RelationKind relation_kind = RelationKind::kStream;
  bool if_not_exists = false;
  QualifiedName name;
  PropertyList properties;
  SelectPtr query;
};

struct CreateStoreStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateStore;
  explicit CreateStoreStatement(int64_t position) : Statement(kKind, position) {}
  Identifier name;
  PropertyList properties;
};

struct AlterStoreStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kAlterStore;
  explicit AlterStoreStatement(int64_t position) : Statement(kKind, position) {}
  Identifier name;
  PropertyList properties;
};

// INSERT INTO name [(columns)] VALUES (row), ... — every row is non-empty; row lengths are not
// checked here.
struct InsertValuesStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kInsertValues;
  explicit InsertValuesStatement(int64_t position) : Statement(kKind, position) {}
  QualifiedName target;
  std::vector<Identifier> columns;  // empty: all columns in order
  std::vector<ExprList> rows;
  std::vector<int64_t> row_positions;  // of each row's "("
};

// INSERT INTO name [WITH (...)] SELECT ... — a persistent query.
struct InsertSelectStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kInsertSelect;
  explicit InsertSelectStatement(int64_t position) : Statement(kKind, position) {}
  QualifiedName target;
  PropertyList properties;
  SelectPtr query;
};

struct TerminateQueryStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kTerminateQuery;
  explicit TerminateQueryStatement(int64_t position) : Statement(kKind, position) {}
  Identifier query_id;  // as written: digits, a name or a string's content
};

struct RestartQueryStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kRestartQuery;
  explicit RestartQueryStatement(int64_t position) : Statement(kKind, position) {}
  Identifier query_id;
};

struct FlushStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kFlush;
  explicit FlushStatement(int64_t position) : Statement(kKind, position) {}
};

// PRINT TOPIC {'name'|name} [IN STORE s] [FROM BEGINNING] [LIMIT n]
struct PrintTopicStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kPrintTopic;
  explicit PrintTopicStatement(int64_t position) : Statement(kKind, position) {}
  Identifier topic;  // a string keeps its case; a bare name is folded
  std::optional<Identifier> store;
  bool from_beginning = false;
  std::optional<int64_t> limit;
  int64_t limit_position = -1;
};

// ---------------------------------------------------------------------------------------------
// Governance (parse_governance.cc). Names of roles and users are single identifiers; privilege
// and object kind words are kept as written (upper-cased) for the engine to check against rbac.

// CREATE ROLE name
struct CreateRoleStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateRole;
  explicit CreateRoleStatement(int64_t position) : Statement(kKind, position) {}
  Identifier name;
};

// CREATE USER name [WITH PASSWORD 'text']
struct CreateUserStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateUser;
  explicit CreateUserStatement(int64_t position) : Statement(kKind, position) {}
  Identifier name;
  std::optional<std::string> password;  // never logged: the audit log redacts it from the text
};

// DROP {ROLE|USER} [IF EXISTS] name
struct DropRoleStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kDropRole;
  explicit DropRoleStatement(int64_t position) : Statement(kKind, position) {}
  bool is_user = false;
  bool if_exists = false;
  Identifier name;
};

// GRANT ROLE r TO {ROLE|USER} m | REVOKE ROLE r FROM {ROLE|USER} m
struct GrantRoleStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kGrantRole;
  explicit GrantRoleStatement(int64_t position) : Statement(kKind, position) {}
  bool revoke = false;
  Identifier role;
  bool member_is_user = false;
  Identifier member;
};

// ALTER USER u WITH PASSWORD 'text' | ALTER USER u SET DEFAULT_ROLE = r
struct AlterUserStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kAlterUser;
  explicit AlterUserStatement(int64_t position) : Statement(kKind, position) {}
  Identifier name;
  std::optional<std::string> password;  // never logged: the audit log redacts it from the text
  std::optional<Identifier> default_role;
};

// GRANT priv[, ...] ON object TO ROLE r [WITH GRANT OPTION]
// REVOKE [GRANT OPTION FOR] priv[, ...] ON object FROM ROLE r [RESTRICT|CASCADE]
// object: ORGANIZATION | DATABASE d | SCHEMA [d.]s | {RELATION|STREAM|CHANGELOG} [[d.]s.]r |
// STORE k | QUERY n | ALL RELATIONS IN SCHEMA [d.]s | ALL SCHEMAS IN DATABASE d
struct GrantPrivilegesStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kGrantPrivileges;
  explicit GrantPrivilegesStatement(int64_t position) : Statement(kKind, position) {}
  bool revoke = false;
  bool grant_option_only = false;      // REVOKE GRANT OPTION FOR: the privilege itself stays
  std::vector<Identifier> privileges;  // upper case: "SELECT", "CREATE_SCHEMA"
  // rbac's object kind name: "ORGANIZATION", "DATABASE", "SCHEMA", "RELATION", "STORE", "QUERY",
  // "ALL RELATIONS IN SCHEMA", "ALL SCHEMAS IN DATABASE".
  std::string object_kind;
  int64_t object_position = -1;
  QualifiedName object;  // empty for the organization
  Identifier grantee;    // a role
  bool with_grant_option = false;
  DropBehavior behavior = DropBehavior::kDefault;
};

// CAN I priv ON object: whether the session's role holds it, and through which grants.
struct CanIStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kCanI;
  explicit CanIStatement(int64_t position) : Statement(kKind, position) {}
  Identifier privilege;     // upper case
  std::string object_kind;  // as in GrantPrivilegesStatement
  int64_t object_position = -1;
  QualifiedName object;
};

// USE ROLE r
struct UseRoleStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kUseRole;
  explicit UseRoleStatement(int64_t position) : Statement(kKind, position) {}
  Identifier role;
};

enum class ShowGovernanceKind : uint8_t { kRoles, kUsers, kGrants };

// SHOW ROLES | SHOW USERS | SHOW GRANTS [TO {ROLE r | USER u} | ON object]
struct ShowGovernanceStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kShowGovernance;
  explicit ShowGovernanceStatement(int64_t position) : Statement(kKind, position) {}
  ShowGovernanceKind what = ShowGovernanceKind::kRoles;
  std::optional<Identifier> grantee;  // SHOW GRANTS TO ROLE r (or USER u)
  bool grantee_is_user = false;
  std::string object_kind;  // SHOW GRANTS ON object; empty otherwise
  int64_t object_position = -1;
  QualifiedName object;
};

// EXPLAIN [PLAN FOR] statement | EXPLAIN QUERY id. The explained statement is a SELECT, a CREATE
// ... AS SELECT or an INSERT INTO ... SELECT; its positions (and begin/end) are into the same text
// as the EXPLAIN's, so its errors point where they would if it ran.
struct ExplainStatement final : Statement {
  static constexpr StatementKind kKind = StatementKind::kExplain;
  explicit ExplainStatement(int64_t position) : Statement(kKind, position) {}
  StatementPtr statement;  // null for EXPLAIN QUERY
  Identifier query_id;     // EXPLAIN QUERY only: the id as written
};

// Canonical SQL text of a statement (no trailing ';'); parsing it yields the same tree. Doubles
// as the debug dump of a statement.
std::string ToSql(const Statement& statement);
std::string ToSql(const FromItem& from);

}  // namespace sluice
