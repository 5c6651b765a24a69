#include <gtest/gtest.h>

#include <string>

#include "parser/parser.h"

namespace sluice {
namespace {

StatementPtr Parse(const std::string& text) {
  Result<StatementPtr> statement = ParseStatement(text);
  EXPECT_TRUE(statement.ok()) << text << ": " << statement.status().ToString();
  if (!statement.ok()) return nullptr;
  return std::move(statement).value();
}

using Parts = std::vector<std::string>;

TEST(StatementTest, CreateAndUseDatabaseAndSchema) {
  StatementPtr db = Parse("CREATE DATABASE IF NOT EXISTS Shop");
  ASSERT_EQ(db->kind, StatementKind::kCreateDatabase);
  EXPECT_TRUE(db->As<CreateDatabaseStatement>().if_not_exists);
  EXPECT_EQ(db->As<CreateDatabaseStatement>().name.parts, Parts{"shop"});
  EXPECT_EQ(db->As<CreateDatabaseStatement>().name.position, 30);

  StatementPtr schema = Parse("create schema shop.raw");
  ASSERT_EQ(schema->kind, StatementKind::kCreateSchema);
  EXPECT_FALSE(schema->As<CreateSchemaStatement>().if_not_exists);
  EXPECT_EQ(schema->As<CreateSchemaStatement>().name.parts, (Parts{"shop", "raw"}));

  StatementPtr use_db = Parse("USE DATABASE shop");
  ASSERT_EQ(use_db->kind, StatementKind::kUseDatabase);
  EXPECT_EQ(use_db->As<UseDatabaseStatement>().name.parts, Parts{"shop"});

  StatementPtr use_schema = Parse("USE SCHEMA raw");
  ASSERT_EQ(use_schema->kind, StatementKind::kUseSchema);
  EXPECT_EQ(use_schema->As<UseSchemaStatement>().name.parts, Parts{"raw"});
}

TEST(StatementTest, Drop) {
  struct Case {
    const char* text;
    ObjectType type;
    bool if_exists;
    DropBehavior behavior;
    size_t parts;
  };
  for (const Case& c :
       {Case{"DROP DATABASE shop", ObjectType::kDatabase, false, DropBehavior::kDefault, 1},
        Case{"DROP SCHEMA IF EXISTS shop.raw CASCADE", ObjectType::kSchema, true,
             DropBehavior::kCascade, 2},
        Case{"DROP STREAM a.b.c RESTRICT", ObjectType::kStream, false, DropBehavior::kRestrict, 3},
        Case{"DROP CHANGELOG users", ObjectType::kChangelog, false, DropBehavior::kDefault, 1},
        Case{"DROP MATERIALIZED VIEW IF EXISTS v", ObjectType::kMaterializedView, true,
             DropBehavior::kDefault, 1},
        Case{"DROP RELATION s.r", ObjectType::kRelation, false, DropBehavior::kDefault, 2},
        Case{"DROP STORE kafka1", ObjectType::kStore, false, DropBehavior::kDefault, 1}}) {
    StatementPtr statement = Parse(c.text);
    ASSERT_NE(statement, nullptr);
    ASSERT_EQ(statement->kind, StatementKind::kDrop) << c.text;
    const auto& drop = statement->As<DropStatement>();
    EXPECT_EQ(drop.object_type, c.type) << c.text;
    EXPECT_EQ(drop.if_exists, c.if_exists) << c.text;
    EXPECT_EQ(drop.behavior, c.behavior) << c.text;
    EXPECT_EQ(drop.name.parts.size(), c.parts) << c.text;
  }
}

TEST(StatementTest, Show) {
  struct Case {
    const char* text;
    ShowKind what;
    std::vector<std::string> scope;
  };
  for (const Case& c :
       {Case{"SHOW DATABASES", ShowKind::kDatabases, {}},
        Case{"SHOW SCHEMAS", ShowKind::kSchemas, {}},
        Case{"SHOW SCHEMAS IN DATABASE shop", ShowKind::kSchemas, {"shop"}},
        Case{"SHOW SCHEMAS IN shop", ShowKind::kSchemas, {"shop"}},
        Case{"SHOW RELATIONS IN SCHEMA shop.raw", ShowKind::kRelations, {"shop", "raw"}},
        Case{"SHOW STREAMS IN raw", ShowKind::kStreams, {"raw"}},
        Case{"SHOW CHANGELOGS", ShowKind::kChangelogs, {}},
        Case{"SHOW MATERIALIZED VIEWS IN SCHEMA s", ShowKind::kMaterializedViews, {"s"}},
        Case{"SHOW STORES", ShowKind::kStores, {}}, Case{"SHOW QUERIES", ShowKind::kQueries, {}},
        Case{"SHOW TOPICS IN STORE kafka1", ShowKind::kTopics, {"kafka1"}},
        Case{"SHOW TOPICS IN schema", ShowKind::kTopics, {"schema"}},
        Case{"SHOW TOPICS", ShowKind::kTopics, {}}}) {
    StatementPtr statement = Parse(c.text);
    ASSERT_NE(statement, nullptr);
    const auto& show = statement->As<ShowStatement>();
    EXPECT_EQ(show.what, c.what) << c.text;
    if (c.scope.empty()) {
      EXPECT_FALSE(show.scope.has_value()) << c.text;
    } else {
      ASSERT_TRUE(show.scope.has_value()) << c.text;
      EXPECT_EQ(show.scope->parts, c.scope) << c.text;
    }
  }
}

TEST(StatementTest, Describe) {
  StatementPtr plain = Parse("DESCRIBE shop.raw.pageviews");
  ASSERT_EQ(plain->kind, StatementKind::kDescribe);
  EXPECT_EQ(plain->As<DescribeStatement>().object_type, ObjectType::kRelation);
  EXPECT_EQ(plain->As<DescribeStatement>().name.parts.size(), 3u);

  StatementPtr mv = Parse("DESCRIBE MATERIALIZED VIEW v");
  EXPECT_EQ(mv->As<DescribeStatement>().object_type, ObjectType::kMaterializedView);
  EXPECT_EQ(mv->As<DescribeStatement>().name.parts, Parts{"v"});

  StatementPtr stream = Parse("DESCRIBE STREAM pv");
  EXPECT_EQ(stream->As<DescribeStatement>().object_type, ObjectType::kStream);

  // A type word with no name after it is the name itself.
  StatementPtr named_stream = Parse("DESCRIBE stream");
  EXPECT_EQ(named_stream->As<DescribeStatement>().object_type, ObjectType::kRelation);
  EXPECT_EQ(named_stream->As<DescribeStatement>().name.parts, Parts{"stream"});

  StatementPtr query = Parse("DESCRIBE QUERY 42");
  EXPECT_EQ(query->As<DescribeStatement>().object_type, ObjectType::kQuery);
  EXPECT_EQ(query->As<DescribeStatement>().query_id.name, "42");
  EXPECT_EQ(query->As<DescribeStatement>().query_id.position, 15);

  StatementPtr store = Parse("DESCRIBE STORE kafka1");
  EXPECT_EQ(store->As<DescribeStatement>().object_type, ObjectType::kStore);
  EXPECT_EQ(store->As<DescribeStatement>().name.parts, Parts{"kafka1"});
}

TEST(StatementTest, CreateStreamWithColumns) {
  std::string text =
      "CREATE STREAM IF NOT EXISTS pageviews (viewtime BIGINT NOT NULL, userid VARCHAR, "
      "payload STRUCT<a INT, tags ARRAY<STRING>>) WITH ('topic'='pageviews', "
      "'value.format'='json', 'partitions'=4, 'compact'=false, timestamp='viewtime')";
  StatementPtr statement = Parse(text);
  ASSERT_EQ(statement->kind, StatementKind::kCreateRelation);
  const auto& create = statement->As<CreateRelationStatement>();
  EXPECT_EQ(create.relation_kind, RelationKind::kStream);
  EXPECT_TRUE(create.if_not_exists);
  EXPECT_EQ(create.name.parts, Parts{"pageviews"});
  ASSERT_EQ(create.columns.size(), 3u);
  EXPECT_EQ(create.columns[0].name, "viewtime");
  EXPECT_EQ(create.columns[0].position, static_cast<int64_t>(text.find("viewtime")));
  EXPECT_EQ(create.columns[0].type.type, DataType::Bigint());
  EXPECT_EQ(create.columns[0].type.position, static_cast<int64_t>(text.find("BIGINT")));
  EXPECT_TRUE(create.columns[0].not_null);
  EXPECT_FALSE(create.columns[1].not_null);
  EXPECT_EQ(create.columns[2].type.type.id(), TypeId::kStruct);
  EXPECT_EQ(create.columns[2].type.type.field_names(), (Parts{"a", "tags"}));
  EXPECT_TRUE(create.primary_key.empty());

  ASSERT_EQ(create.properties.size(), 5u);
  EXPECT_EQ(create.properties[0].key, "topic");
  EXPECT_EQ(create.properties[0].value, "pageviews");
  EXPECT_EQ(create.properties[0].value_kind, PropertyValueKind::kString);
  EXPECT_EQ(create.properties[2].value, "4");
  EXPECT_EQ(create.properties[2].value_kind, PropertyValueKind::kNumber);
  EXPECT_EQ(create.properties[3].value, "false");
  EXPECT_EQ(create.properties[3].value_kind, PropertyValueKind::kBoolean);
  EXPECT_EQ(create.properties[4].key, "timestamp");
  EXPECT_EQ(create.properties[4].key_position, static_cast<int64_t>(text.find("timestamp=")));
}

TEST(StatementTest, CreateChangelogWithPrimaryKey) {
  StatementPtr statement = Parse(
      "CREATE CHANGELOG users (userid VARCHAR, region VARCHAR, PRIMARY KEY (userid, region)) "
      "WITH (topic = 'users', value.format = 'json')");
  const auto& create = statement->As<CreateRelationStatement>();
  EXPECT_EQ(create.relation_kind, RelationKind::kChangelog);
  ASSERT_EQ(create.primary_key.size(), 2u);
  EXPECT_EQ(create.primary_key[1].name, "region");
  EXPECT_EQ(create.properties[1].key, "value.format");
}

TEST(StatementTest, CreateAsSelect) {
  std::string text =
      "CREATE STREAM big WITH ('store'='kafka1', 'topic'='big') AS SELECT * FROM pageviews";
  StatementPtr statement = Parse(text);
  ASSERT_EQ(statement->kind, StatementKind::kCreateRelationAsSelect);
  const auto& create = statement->As<CreateRelationAsSelectStatement>();
  EXPECT_EQ(create.relation_kind, RelationKind::kStream);
  EXPECT_EQ(create.properties.size(), 2u);
  ASSERT_NE(create.query, nullptr);
  // The query keeps its own span: the text to store for the persistent query.
  EXPECT_EQ(text.substr(create.query->begin, create.query->end - create.query->begin),
            "SELECT * FROM pageviews");

  StatementPtr mv = Parse(
      "CREATE MATERIALIZED VIEW IF NOT EXISTS views_by_page AS SELECT pageid, COUNT(*) AS n "
      "FROM pageviews GROUP BY pageid");
  const auto& view = mv->As<CreateRelationAsSelectStatement>();
  EXPECT_EQ(view.relation_kind, RelationKind::kMaterializedView);
  EXPECT_TRUE(view.if_not_exists);
  EXPECT_EQ(view.query->group_by.size(), 1u);

  StatementPtr changelog = Parse("CREATE CHANGELOG c AS SELECT a FROM t GROUP BY a");
  EXPECT_EQ(changelog->As<CreateRelationAsSelectStatement>().relation_kind,
            RelationKind::kChangelog);
}

TEST(StatementTest, Stores) {
  StatementPtr create = Parse(
      "CREATE STORE kafka1 WITH ('type'='kafka', 'uris'='host:9092', "
      "'kafka.sasl.password'='p''w')");
  ASSERT_EQ(create->kind, StatementKind::kCreateStore);
  EXPECT_EQ(create->As<CreateStoreStatement>().name.name, "kafka1");
  EXPECT_EQ(create->As<CreateStoreStatement>().properties[2].value, "p'w");

  StatementPtr alter = Parse("ALTER STORE kafka1 WITH ('uris'='other:9092')");
  ASSERT_EQ(alter->kind, StatementKind::kAlterStore);
  EXPECT_EQ(alter->As<AlterStoreStatement>().properties.size(), 1u);
}

TEST(StatementTest, InsertValues) {
  std::string text =
      "INSERT INTO shop.raw.pageviews (viewtime, userid) VALUES (1, 'u1'), (2, NULL)";
  StatementPtr statement = Parse(text);
  ASSERT_EQ(statement->kind, StatementKind::kInsertValues);
  const auto& insert = statement->As<InsertValuesStatement>();
  EXPECT_EQ(insert.target.parts, (Parts{"shop", "raw", "pageviews"}));
  ASSERT_EQ(insert.columns.size(), 2u);
  EXPECT_EQ(insert.columns[1].name, "userid");
  ASSERT_EQ(insert.rows.size(), 2u);
  EXPECT_EQ(insert.rows[0].size(), 2u);
  EXPECT_EQ(ToSql(*insert.rows[1][1]), "NULL");
  EXPECT_EQ(insert.row_positions[1], static_cast<int64_t>(text.find("(2")));

  StatementPtr no_columns = Parse("INSERT INTO pv VALUES (1700000000000, 'u1', 'p1')");
  EXPECT_TRUE(no_columns->As<InsertValuesStatement>().columns.empty());
  EXPECT_EQ(no_columns->As<InsertValuesStatement>().rows[0].size(), 3u);
}

TEST(StatementTest, InsertSelect) {
  StatementPtr statement =
      Parse("INSERT INTO sink WITH ('parallelism'=2) SELECT a FROM src WHERE a > 1");
  ASSERT_EQ(statement->kind, StatementKind::kInsertSelect);
  const auto& insert = statement->As<InsertSelectStatement>();
  EXPECT_EQ(insert.properties[0].key, "parallelism");
  ASSERT_NE(insert.query->where, nullptr);
  StatementPtr plain = Parse("INSERT INTO sink SELECT * FROM src");
  EXPECT_TRUE(plain->As<InsertSelectStatement>().properties.empty());
}

TEST(StatementTest, QueryCommandsFlushAndPrint) {
  StatementPtr terminate = Parse("TERMINATE QUERY 7");
  ASSERT_EQ(terminate->kind, StatementKind::kTerminateQuery);
  EXPECT_EQ(terminate->As<TerminateQueryStatement>().query_id.name, "7");
  StatementPtr restart = Parse("restart query 'q-1'");
  ASSERT_EQ(restart->kind, StatementKind::kRestartQuery);
  EXPECT_EQ(restart->As<RestartQueryStatement>().query_id.name, "q-1");
  EXPECT_EQ(Parse("FLUSH")->kind, StatementKind::kFlush);

  StatementPtr print = Parse("PRINT TOPIC 'Page-Views' IN STORE kafka1 FROM BEGINNING LIMIT 10");
  ASSERT_EQ(print->kind, StatementKind::kPrintTopic);
  const auto& p = print->As<PrintTopicStatement>();
  EXPECT_EQ(p.topic.name, "Page-Views");
  ASSERT_TRUE(p.store.has_value());
  EXPECT_EQ(p.store->name, "kafka1");
  EXPECT_TRUE(p.from_beginning);
  EXPECT_EQ(p.limit, 10);
  StatementPtr bare = Parse("PRINT TOPIC PageViews");
  EXPECT_EQ(bare->As<PrintTopicStatement>().topic.name, "pageviews");
  EXPECT_FALSE(bare->As<PrintTopicStatement>().limit.has_value());
}

TEST(StatementTest, ScriptPositionsAndSpans) {
  std::string text = "-- setup\nCREATE DATABASE shop;;\n  USE DATABASE shop ;\n\nFLUSH";
  Result<std::vector<StatementPtr>> script = ParseScript(text);
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  ASSERT_EQ(script->size(), 3u);
  const Statement& use = *(*script)[1];
  EXPECT_EQ(use.kind, StatementKind::kUseDatabase);
  EXPECT_EQ(use.position, static_cast<int64_t>(text.find("USE")));
  EXPECT_EQ(text.substr(use.begin, use.end - use.begin), "USE DATABASE shop");
  const Statement& flush = *(*script)[2];
  EXPECT_EQ(text.substr(flush.begin, flush.end - flush.begin), "FLUSH");
}

TEST(StatementTest, DesignDocumentExamples) {
  std::string text = R"sql(
CREATE STORE kafka1 WITH ('type'='kafka', 'uris'='host:9092',
  'kafka.sasl.hash_function'='SHA512', 'kafka.sasl.username'='u', 'kafka.sasl.password'='p');
CREATE DATABASE shop;  CREATE SCHEMA shop.raw;  USE DATABASE shop;  USE SCHEMA raw;
CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR)
  WITH ('topic'='pageviews', 'value.format'='json', 'timestamp'='viewtime', 'partitions'=4);
CREATE CHANGELOG users (userid VARCHAR, region VARCHAR, PRIMARY KEY (userid))
  WITH ('topic'='users', 'value.format'='json');
INSERT INTO pageviews VALUES (1700000000000, 'u1', 'p1');
CREATE STREAM pv_u1 AS SELECT * FROM pageviews WHERE userid = 'u1';
CREATE STREAM big WITH ('store'='kafka1', 'topic'='big') AS SELECT * FROM pageviews WHERE true;
CREATE STREAM per_min AS SELECT window_start, window_end, pageid, COUNT(*) AS n
  FROM TUMBLE(pageviews, SIZE 1 MINUTE) GROUP BY window_start, window_end, pageid;
SELECT * FROM HOP(rel, SIZE 10 SECOND, ADVANCE BY 2 SECOND), SESSION(rel, GAP 30 SECOND);
SELECT * FROM rel WITH ('starting.position'='earliest', 'source.allow.latency.millis'=5000);
SELECT * FROM a JOIN b WITHIN 1 HOUR ON a.k = b.k;
CREATE MATERIALIZED VIEW views_by_page AS SELECT pageid, COUNT(*) AS n FROM pageviews GROUP BY pageid;
SELECT * FROM views_by_page WHERE pageid = 'p1';     -- snapshot read
SELECT * FROM pageviews WHERE userid = 'u1' LIMIT 5; -- continuous (push) query
FLUSH;  -- wait until every running query has processed what its sources hold now
TERMINATE QUERY 1;  RESTART QUERY 1;  PRINT TOPIC 'name' FROM BEGINNING LIMIT 10;
)sql";
  // The one line above that is not SQL (two FROM items separated by a comma) is an error.
  Result<std::vector<StatementPtr>> with_comma = ParseScript(text);
  ASSERT_FALSE(with_comma.ok());
  EXPECT_EQ(with_comma.status().position(), static_cast<int64_t>(text.find(", SESSION")));

  std::string fixed = text;
  fixed.replace(fixed.find(", SESSION"), 1, "; SELECT * FROM");
  Result<std::vector<StatementPtr>> script = ParseScript(fixed);
  ASSERT_TRUE(script.ok()) << RenderError(script.status(), fixed);
  EXPECT_EQ(script->size(), 22u);
}

TEST(StatementTest, EmptyScripts) {
  for (const char* text : {"", ";", " ;; -- nothing\n", "/* only a comment */"}) {
    Result<std::vector<StatementPtr>> script = ParseScript(text);
    ASSERT_TRUE(script.ok()) << text;
    EXPECT_TRUE(script->empty()) << text;
  }
}

TEST(StatementTest, SingleStatementAllowsTrailingSemicolon) {
  EXPECT_TRUE(ParseStatement("FLUSH;").ok());
  EXPECT_TRUE(ParseStatement("FLUSH ; ; -- done").ok());
}

// Every statement kind survives ToSql -> parse -> ToSql unchanged.
class StatementRoundTripTest
    : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(StatementRoundTripTest, Canonical) {
  const auto& [input, canonical] = GetParam();
  StatementPtr statement = Parse(input);
  ASSERT_NE(statement, nullptr);
  EXPECT_EQ(ToSql(*statement), canonical);
  StatementPtr again = Parse(canonical);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(ToSql(*again), canonical);
}

INSTANTIATE_TEST_SUITE_P(
    All, StatementRoundTripTest,
    ::testing::Values(
        std::make_pair("create database if not exists Shop", "CREATE DATABASE IF NOT EXISTS shop"),
        std::make_pair("create schema \"Shop\".raw", "CREATE SCHEMA \"Shop\".raw"),
        std::make_pair("use database shop", "USE DATABASE shop"),
        std::make_pair("use schema shop.raw", "USE SCHEMA shop.raw"),
        std::make_pair("drop materialized view if exists v cascade",
                       "DROP MATERIALIZED VIEW IF EXISTS v CASCADE"),
        std::make_pair("show topics in store", "SHOW TOPICS IN STORE store"),
        std::make_pair("show relations in shop.raw", "SHOW RELATIONS IN SCHEMA shop.raw"),
        std::make_pair("describe x", "DESCRIBE RELATION x"),
        std::make_pair("describe query abc", "DESCRIBE QUERY 'abc'"),
        std::make_pair("describe store s", "DESCRIBE STORE s"),
        std::make_pair("create stream s (a int not null, \"B\" decimal(10,2), primary key (a)) "
                       "with (topic='t', 'partitions'=-1, 'x'=true)",
                       "CREATE STREAM s (a INTEGER NOT NULL, \"B\" DECIMAL(10, 2), PRIMARY KEY "
                       "(a)) WITH ('topic' = 't', 'partitions' = -1, 'x' = TRUE)"),
        std::make_pair("create changelog if not exists c with ('k'=1.5) as select a from t",
                       "CREATE CHANGELOG IF NOT EXISTS c WITH ('k' = 1.5) AS SELECT a FROM t"),
        std::make_pair("create store k with ('type'='kafka')",
                       "CREATE STORE k WITH ('type' = 'kafka')"),
        std::make_pair("alter store k with ('uris'='h:1')", "ALTER STORE k WITH ('uris' = 'h:1')"),
        std::make_pair("insert into t (a, b) values (1, 'x'), (-2, null)",
                       "INSERT INTO t (a, b) VALUES (1, 'x'), (-2, NULL)"),
        std::make_pair("insert into t with ('parallelism'=2) select * from s",
                       "INSERT INTO t WITH ('parallelism' = 2) SELECT * FROM s"),
        std::make_pair("terminate query 12", "TERMINATE QUERY 12"),
        std::make_pair("restart query 'q-1'", "RESTART QUERY 'q-1'"),
        std::make_pair("flush", "FLUSH"),
        std::make_pair("print topic pv in store local from beginning limit 3",
                       "PRINT TOPIC 'pv' IN STORE local FROM BEGINNING LIMIT 3"),
        std::make_pair("create role \"Ops\"", "CREATE ROLE \"Ops\""),
        std::make_pair("create user bob with password 'x'", "CREATE USER bob WITH PASSWORD 'x'"),
        std::make_pair("drop role if exists a", "DROP ROLE IF EXISTS a"),
        std::make_pair("drop user bob", "DROP USER bob"),
        std::make_pair("grant role a to role b", "GRANT ROLE a TO ROLE b"),
        std::make_pair("revoke role a from user bob", "REVOKE ROLE a FROM USER bob"),
        std::make_pair("grant select,insert on relation shop.raw.pv to role a with grant option",
                       "GRANT SELECT, INSERT ON RELATION shop.raw.pv TO ROLE a WITH GRANT OPTION"),
        std::make_pair("revoke usage on all schemas in database shop from role a restrict",
                       "REVOKE USAGE ON ALL SCHEMAS IN DATABASE shop FROM ROLE a RESTRICT"),
        std::make_pair("grant create_store on organization to role a",
                       "GRANT CREATE_STORE ON ORGANIZATION TO ROLE a"),
        std::make_pair("use role a", "USE ROLE a"), std::make_pair("show roles", "SHOW ROLES"),
        std::make_pair("show grants to role a", "SHOW GRANTS TO ROLE a")));

}  // namespace
}  // namespace sluice
