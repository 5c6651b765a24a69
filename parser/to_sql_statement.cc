// Canonical SQL text of statements and FROM items.

#include <string>

#include "parser/ast.h"

namespace sluice {

namespace {

std::string PropertiesSql(const PropertyList& properties) {
  std::string text = "(";
  for (const Property& property : properties) {
    if (text.size() > 1) text += ", ";
    text += QuoteString(property.key) + " = ";
    switch (property.value_kind) {
      case PropertyValueKind::kString: text += QuoteString(property.value); break;
      case PropertyValueKind::kNumber: text += property.value; break;
      case PropertyValueKind::kBoolean: text += property.value == "true" ? "TRUE" : "FALSE"; break;
    }
  }
  return text + ")";
}

std::string WithSql(const PropertyList& properties) {
  return properties.empty() ? "" : " WITH " + PropertiesSql(properties);
}

std::string DurationSql(const Duration& duration) {
  return std::to_string(duration.count) + " " + TimeUnitName(duration.unit);
}

std::string AliasSql(const FromItem& item) {
  return item.alias.empty() ? "" : " AS " + QuoteIdentifier(item.alias);
}

std::string QueryIdSql(const Identifier& id) {
  bool digits = !id.name.empty();
  for (char c : id.name) digits = digits && c >= '0' && c <= '9';
  return digits ? id.name : QuoteString(id.name);
}

std::string IdentifierList(const std::vector<Identifier>& names) {
  std::string text;
  for (const Identifier& name : names) {
    if (!text.empty()) text += ", ";
    text += QuoteIdentifier(name.name);
  }
  return text;
}

const char* RelationKindName(RelationKind kind) {
  switch (kind) {
    case RelationKind::kStream: return "STREAM";
    case RelationKind::kChangelog: return "CHANGELOG";
    case RelationKind::kMaterializedView: return "MATERIALIZED VIEW";
  }
  return "?";
}

// "RELATION shop.raw.pv", "QUERY 3", "ORGANIZATION".
std::string GrantObjectSql(const std::string& kind, const QualifiedName& object) {
  std::string text = kind;
  if (kind == "QUERY" && object.parts.size() == 1) {
    text += " " + QueryIdSql(Identifier{object.parts[0], object.position});
  } else if (!object.parts.empty()) {
    text += " " + object.ToString();
  }
  return text;
}

std::string GrantPrivilegesSql(const GrantPrivilegesStatement& grant) {
  std::string text = grant.revoke ? "REVOKE " : "GRANT ";
  if (grant.grant_option_only) text += "GRANT OPTION FOR ";
  for (size_t privilege_idx = 0; privilege_idx < grant.privileges.size(); ++privilege_idx) {
    text += (privilege_idx > 0 ? ", " : "") + grant.privileges[privilege_idx].name;
  }
  text += " ON " + GrantObjectSql(grant.object_kind, grant.object);
  text += (grant.revoke ? " FROM ROLE " : " TO ROLE ") + QuoteIdentifier(grant.grantee.name);
  if (grant.with_grant_option) text += " WITH GRANT OPTION";
  if (grant.behavior == DropBehavior::kCascade) text += " CASCADE";
  if (grant.behavior == DropBehavior::kRestrict) text += " RESTRICT";
  return text;
}

const char* ShowKindName(ShowKind kind) {
  switch (kind) {
    case ShowKind::kDatabases: return "DATABASES";
    case ShowKind::kSchemas: return "SCHEMAS";
    case ShowKind::kRelations: return "RELATIONS";
    case ShowKind::kStreams: return "STREAMS";
    case ShowKind::kChangelogs: return "CHANGELOGS";
    case ShowKind::kMaterializedViews: return "MATERIALIZED VIEWS";
    case ShowKind::kStores: return "STORES";
    case ShowKind::kQueries: return "QUERIES";
    case ShowKind::kTopics: return "TOPICS";
  }
  return "?";
}

// The word written after IN, so a scope named like the keyword still parses back.
const char* ShowScopeWord(ShowKind kind) {
  switch (kind) {
    case ShowKind::kSchemas: return "DATABASE ";
    case ShowKind::kTopics: return "STORE ";
    default: return "SCHEMA ";
  }
}

std::string SelectSql(const SelectStatement& select) {
  std::string text = select.distinct ? "SELECT DISTINCT " : "SELECT ";
  for (size_t item_idx = 0; item_idx < select.items.size(); ++item_idx) {
    const SelectItem& item = select.items[item_idx];
    if (item_idx > 0) text += ", ";
    text += ToSql(*item.expr);
    if (!item.alias.empty()) text += " AS " + QuoteIdentifier(item.alias);
  }
  if (select.from) text += " FROM " + ToSql(*select.from);
  if (select.where) text += " WHERE " + ToSql(*select.where);
  for (size_t key_idx = 0; key_idx < select.group_by.size(); ++key_idx) {
    text += key_idx == 0 ? " GROUP BY " : ", ";
    text += ToSql(*select.group_by[key_idx]);
  }
  if (select.having) text += " HAVING " + ToSql(*select.having);
  if (select.emit == EmitMode::kChanges) text += " EMIT CHANGES";
  if (select.emit == EmitMode::kFinal) text += " EMIT FINAL";
  for (size_t key_idx = 0; key_idx < select.order_by.size(); ++key_idx) {
    const OrderByItem& key = select.order_by[key_idx];
    text += key_idx == 0 ? " ORDER BY " : ", ";
    text += ToSql(*key.expr);
    if (key.descending) text += " DESC";
    if (key.nulls == NullsOrder::kFirst) text += " NULLS FIRST";
    if (key.nulls == NullsOrder::kLast) text += " NULLS LAST";
  }
  if (select.limit) text += " LIMIT " + std::to_string(*select.limit);
  return text;
}

std::string CreateRelationSql(const CreateRelationStatement& create) {
  std::string text = std::string("CREATE ") + RelationKindName(create.relation_kind) +
                     (create.if_not_exists ? " IF NOT EXISTS " : " ") + create.name.ToString() +
                     " (";
  for (size_t column_idx = 0; column_idx < create.columns.size(); ++column_idx) {
    const ColumnDef& column = create.columns[column_idx];
    if (column_idx > 0) text += ", ";
    text += QuoteIdentifier(column.name) + " " + TypeToSql(column.type.type);
    if (column.not_null) text += " NOT NULL";
  }
  if (!create.primary_key.empty()) {
    text += ", PRIMARY KEY (" + IdentifierList(create.primary_key) + ")";
  }
  return text + ")" + WithSql(create.properties);
}

std::string InsertValuesSql(const InsertValuesStatement& insert) {
  std::string text = "INSERT INTO " + insert.target.ToString();
  if (!insert.columns.empty()) text += " (" + IdentifierList(insert.columns) + ")";
  text += " VALUES ";
  for (size_t row_idx = 0; row_idx < insert.rows.size(); ++row_idx) {
    if (row_idx > 0) text += ", ";
    text += "(";
    for (size_t value_idx = 0; value_idx < insert.rows[row_idx].size(); ++value_idx) {
      if (value_idx > 0) text += ", ";
      text += ToSql(*insert.rows[row_idx][value_idx]);
    }
    text += ")";
  }
  return text;
}

std::string PrintTopicSql(const PrintTopicStatement& print) {
  std::string text = "PRINT TOPIC " + QuoteString(print.topic.name);
  if (print.store) text += " IN STORE " + QuoteIdentifier(print.store->name);
  if (print.from_beginning) text += " FROM BEGINNING";
  if (print.limit) text += " LIMIT " + std::to_string(*print.limit);
  return text;
}

}  // namespace

std::string ToSql(const FromItem& from) {
  switch (from.kind) {
    case FromKind::kRelation: {
      const auto& relation = from.As<RelationRef>();
      return relation.name.ToString() + AliasSql(from) + WithSql(relation.properties);
    }
    case FromKind::kWindow: {
      const auto& window = from.As<WindowRef>();
      std::string input = ToSql(*window.input);
      switch (window.window_kind) {
        case WindowKind::kTumble:
          return "TUMBLE(" + input + ", SIZE " + DurationSql(window.size) + ")" + AliasSql(from);
        case WindowKind::kHop:
          return "HOP(" + input + ", SIZE " + DurationSql(window.size) + ", ADVANCE BY " +
                 DurationSql(window.advance) + ")" + AliasSql(from);
        case WindowKind::kSession:
          return "SESSION(" + input + ", GAP " + DurationSql(window.gap) + ")" + AliasSql(from);
      }
      return "?";
    }
    case FromKind::kJoin: {
      const auto& join = from.As<JoinRef>();
      static constexpr const char* kJoinWords[] = {" JOIN ", " LEFT JOIN ", " RIGHT JOIN ",
                                                   " FULL JOIN "};
      std::string text =
          ToSql(*join.left) + kJoinWords[static_cast<int>(join.join_kind)] + ToSql(*join.right);
      if (join.within) {
        text += " WITHIN ";
        text += join.within->pair_syntax ? "(" + DurationSql(join.within->before) + ", " +
                                               DurationSql(join.within->after) + ")"
                                         : DurationSql(join.within->before);
      }
      return text + " ON " + ToSql(*join.condition);
    }
  }
  return "?";
}

std::string ToSql(const Statement& statement) {
  switch (statement.kind) {
    case StatementKind::kCreateDatabase: {
      const auto& create = statement.As<CreateDatabaseStatement>();
      return std::string("CREATE DATABASE ") + (create.if_not_exists ? "IF NOT EXISTS " : "") +
             create.name.ToString();
    }
    case StatementKind::kCreateSchema: {
      const auto& create = statement.As<CreateSchemaStatement>();
      return std::string("CREATE SCHEMA ") + (create.if_not_exists ? "IF NOT EXISTS " : "") +
             create.name.ToString();
    }
    case StatementKind::kUseDatabase:
      return "USE DATABASE " + statement.As<UseDatabaseStatement>().name.ToString();
    case StatementKind::kUseSchema:
      return "USE SCHEMA " + statement.As<UseSchemaStatement>().name.ToString();
    case StatementKind::kDrop: {
      const auto& drop = statement.As<DropStatement>();
      std::string text = std::string("DROP ") + ObjectTypeName(drop.object_type) +
                         (drop.if_exists ? " IF EXISTS " : " ") + drop.name.ToString();
      if (drop.behavior == DropBehavior::kCascade) text += " CASCADE";
      if (drop.behavior == DropBehavior::kRestrict) text += " RESTRICT";
      return text;
    }
    case StatementKind::kShow: {
      const auto& show = statement.As<ShowStatement>();
      std::string text = std::string("SHOW ") + ShowKindName(show.what);
      if (show.scope)
        text += std::string(" IN ") + ShowScopeWord(show.what) + show.scope->ToString();
      return text;
    }
    case StatementKind::kDescribe: {
      const auto& describe = statement.As<DescribeStatement>();
      if (describe.object_type == ObjectType::kQuery) {
        return "DESCRIBE QUERY " + QueryIdSql(describe.query_id);
      }
      return std::string("DESCRIBE ") + ObjectTypeName(describe.object_type) + " " +
             describe.name.ToString();
    }
    case StatementKind::kCreateRelation:
      return CreateRelationSql(statement.As<CreateRelationStatement>());
    case StatementKind::kCreateRelationAsSelect: {
      const auto& create = statement.As<CreateRelationAsSelectStatement>();
      return std::string("CREATE ") + RelationKindName(create.relation_kind) +
             (create.if_not_exists ? " IF NOT EXISTS " : " ") + create.name.ToString() +
             WithSql(create.properties) + " AS " + SelectSql(*create.query);
    }
    case StatementKind::kCreateStore: {
      const auto& create = statement.As<CreateStoreStatement>();
      return "CREATE STORE " + QuoteIdentifier(create.name.name) + WithSql(create.properties);
    }
    case StatementKind::kAlterStore: {
      const auto& alter = statement.As<AlterStoreStatement>();
      return "ALTER STORE " + QuoteIdentifier(alter.name.name) + WithSql(alter.properties);
    }
    case StatementKind::kInsertValues:
      return InsertValuesSql(statement.As<InsertValuesStatement>());
    case StatementKind::kInsertSelect: {
      const auto& insert = statement.As<InsertSelectStatement>();
      return "INSERT INTO " + insert.target.ToString() + WithSql(insert.properties) + " " +
             SelectSql(*insert.query);
    }
    case StatementKind::kSelect: return SelectSql(statement.As<SelectStatement>());
    case StatementKind::kTerminateQuery:
      return "TERMINATE QUERY " + QueryIdSql(statement.As<TerminateQueryStatement>().query_id);
    case StatementKind::kRestartQuery:
      return "RESTART QUERY " + QueryIdSql(statement.As<RestartQueryStatement>().query_id);
    case StatementKind::kFlush: return "FLUSH";
    case StatementKind::kPrintTopic: return PrintTopicSql(statement.As<PrintTopicStatement>());
    case StatementKind::kCreateRole:
      return "CREATE ROLE " + QuoteIdentifier(statement.As<CreateRoleStatement>().name.name);
    case StatementKind::kCreateUser: {
      const auto& create = statement.As<CreateUserStatement>();
      return "CREATE USER " + QuoteIdentifier(create.name.name) +
             (create.password ? " WITH PASSWORD " + QuoteString(*create.password) : "");
    }
    case StatementKind::kDropRole: {
      const auto& drop = statement.As<DropRoleStatement>();
      return std::string(drop.is_user ? "DROP USER " : "DROP ROLE ") +
             (drop.if_exists ? "IF EXISTS " : "") + QuoteIdentifier(drop.name.name);
    }
    case StatementKind::kGrantRole: {
      const auto& grant = statement.As<GrantRoleStatement>();
      return std::string(grant.revoke ? "REVOKE ROLE " : "GRANT ROLE ") +
             QuoteIdentifier(grant.role.name) + (grant.revoke ? " FROM " : " TO ") +
             (grant.member_is_user ? "USER " : "ROLE ") + QuoteIdentifier(grant.member.name);
    }
    case StatementKind::kGrantPrivileges:
      return GrantPrivilegesSql(statement.As<GrantPrivilegesStatement>());
    case StatementKind::kUseRole:
      return "USE ROLE " + QuoteIdentifier(statement.As<UseRoleStatement>().role.name);
    case StatementKind::kShowGovernance: {
      const auto& show = statement.As<ShowGovernanceStatement>();
      switch (show.what) {
        case ShowGovernanceKind::kRoles: return "SHOW ROLES";
        case ShowGovernanceKind::kUsers: return "SHOW USERS";
        case ShowGovernanceKind::kGrants:
          if (show.grantee) {
            return std::string("SHOW GRANTS TO ") + (show.grantee_is_user ? "USER " : "ROLE ") +
                   QuoteIdentifier(show.grantee->name);
          }
          if (!show.object_kind.empty()) {
            return "SHOW GRANTS ON " + GrantObjectSql(show.object_kind, show.object);
          }
          return "SHOW GRANTS";
      }
      return "?";
    }
    case StatementKind::kAlterUser: {
      const auto& alter = statement.As<AlterUserStatement>();
      std::string text = "ALTER USER " + QuoteIdentifier(alter.name.name);
      if (alter.default_role)
        return text + " SET DEFAULT_ROLE = " + QuoteIdentifier(alter.default_role->name);
      return text + " WITH PASSWORD " + QuoteString(alter.password.value_or(""));
    }
    case StatementKind::kCanI: {
      const auto& can = statement.As<CanIStatement>();
      return "CAN I " + can.privilege.name + " ON " + GrantObjectSql(can.object_kind, can.object);
    }
    case StatementKind::kExplain: {
      const auto& explain = statement.As<ExplainStatement>();
      if (!explain.statement) return "EXPLAIN QUERY " + QueryIdSql(explain.query_id);
      return "EXPLAIN " + ToSql(*explain.statement);
    }
  }
  return "?";
}

}  // namespace sluice
