// The binder against a real catalog: names resolve through the current database and schema,
// expressions get types, and every mistake is a BINDER error pointing at the offending text.
// Then the physical plan of a bound query survives its trip to a worker (JSON) unchanged.

#include "planner/binder/binder.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "parser/parser.h"
#include "planner/physical_planner.h"
#include "runtime/plan/physical_plan.h"

namespace sluice {
namespace {

class BinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sluice-binder-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto opened = Catalog::Open(dir_ + "/catalog.db");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    catalog_ = std::move(opened).value();
    auto database = catalog_->GetDatabase(std::string(kDefaultDatabase));
    ASSERT_TRUE(database.ok());
    auto schema = catalog_->GetSchema(database->id, std::string(kDefaultSchema));
    ASSERT_TRUE(schema.ok());
    auto store = catalog_->GetStore(std::string(kLocalStore));
    ASSERT_TRUE(store.ok());

    RelationInfo relation;
    relation.schema_id = schema->id;
    relation.name = "pageviews";
    relation.kind = CatalogRelationKind::kStream;
    relation.columns = {
        {"viewtime", DataType::Bigint()},
        {"userid", DataType::Varchar()},
        {"pageid", DataType::Varchar()},
        {"duration", DataType::Integer()},
        {"address", DataType::Struct({"city", "zip"}, {DataType::Varchar(), DataType::Varchar()})}};
    relation.properties = {{"topic", "pv"},
                           {"partitions", "2"},
                           {"value.format", "json"},
                           {"store", "local"},
                           {"timestamp", "viewtime"}};
    relation.store_id = store->id;
    relation.owner = std::string(kDefaultOwner);
    ASSERT_TRUE(catalog_->CreateRelation(relation).ok());
  }

  void TearDown() override {
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }

  Result<std::unique_ptr<LogicalOperator>> Bind(const std::string& sql) {
    ASSIGN_OR_RETURN(StatementPtr statement, ParseStatement(sql));
    statements_.push_back(std::move(statement));
    Binder binder(*catalog_, std::string(kDefaultDatabase), std::string(kDefaultSchema));
    return binder.BindSelect(statements_.back()->As<SelectStatement>());
  }

  // The BINDER error of `sql`, with the text at its position checked.
  std::string BindError(const std::string& sql, const std::string& at) {
    auto bound = Bind(sql);
    EXPECT_FALSE(bound.ok()) << sql;
    if (bound.ok()) return "";
    const Status& status = bound.status();
    EXPECT_EQ(status.category(), ErrorCategory::kBinder) << status.ToString();
    EXPECT_TRUE(status.has_position()) << status.ToString();
    if (status.has_position()) {
      EXPECT_EQ(sql.substr(static_cast<size_t>(status.position()), at.size()), at)
          << status.ToString();
    }
    return status.message();
  }

  std::string dir_;
  std::unique_ptr<Catalog> catalog_;
  std::vector<StatementPtr> statements_;  // the AST outlives the plans bound from it
};

TEST_F(BinderTest, ResolvesColumnsAndTypesExpressions) {
  auto bound = Bind(
      "SELECT userid, duration * 2 AS twice, address->city, UPPER(pageid) || '!' AS shout "
      "FROM pageviews WHERE duration > 10");
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  const Schema& schema = (*bound)->schema();
  ASSERT_EQ(schema.size(), 4u);
  EXPECT_EQ(schema.field(0).name, "userid");
  EXPECT_EQ(schema.field(0).type, DataType::Varchar());
  EXPECT_EQ(schema.field(1).name, "twice");
  EXPECT_EQ(schema.field(1).type, DataType::Integer());
  EXPECT_EQ(schema.field(2).type, DataType::Varchar());
  EXPECT_EQ(schema.field(3).name, "shout");
}

TEST_F(BinderTest, QualifiedNamesResolve) {
  EXPECT_TRUE(Bind("SELECT * FROM default_db.public.pageviews").ok());
  EXPECT_TRUE(Bind("SELECT * FROM public.pageviews").ok());
}

TEST_F(BinderTest, SelectStarReadsOnlyWhatItNeeds) {
  auto bound = Bind("SELECT userid FROM pageviews WHERE duration > 1");
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  auto plan = CreatePhysicalPlan(std::move(bound).value());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // userid and duration, plus the event-time column; never pageid or address.
  for (int column : (*plan)->source.columns) {
    const std::string& name =
        (*plan)->source.relation_schema.field(static_cast<size_t>(column)).name;
    EXPECT_NE(name, "pageid");
    EXPECT_NE(name, "address");
  }
}

TEST_F(BinderTest, UnknownNamesSuggestTheClosest) {
  EXPECT_EQ(BindError("SELECT * FROM pageview", "pageview"),
            "relation \"pageview\" does not exist (did you mean \"pageviews\"?)");
  EXPECT_EQ(BindError("SELECT userd FROM pageviews", "userd"),
            "column \"userd\" does not exist (did you mean \"userid\"?)");
  EXPECT_NE(BindError("SELECT * FROM nodb.public.pageviews", "nodb").find("nodb"),
            std::string::npos);
}

TEST_F(BinderTest, TypeErrorsPointAtTheExpression) {
  EXPECT_NE(BindError("SELECT * FROM pageviews WHERE userid = 5", "= 5")
                .find("cannot compare VARCHAR with"),
            std::string::npos);
  EXPECT_NE(BindError("SELECT UPPER(viewtime) FROM pageviews", "UPPER").find("upper"),
            std::string::npos);
  EXPECT_NE(BindError("SELECT * FROM pageviews WHERE pageid", "pageid").find("BOOLEAN"),
            std::string::npos);
}

TEST_F(BinderTest, WrongArityNamesTheFunction) {
  std::string message = BindError("SELECT SUBSTRING(userid, 1, 2, 3) FROM pageviews", "SUBSTRING");
  EXPECT_NE(message.find("substring"), std::string::npos) << message;
  EXPECT_NE(message.find("arguments"), std::string::npos) << message;
}

TEST_F(BinderTest, UnknownFunctionSuggestsOne) {
  std::string message = BindError("SELECT UPPR(userid) FROM pageviews", "UPPR");
  EXPECT_NE(message.find("upper"), std::string::npos) << message;
}

TEST_F(BinderTest, PhysicalPlanSurvivesJson) {
  auto bound = Bind(
      "SELECT viewtime, CASE WHEN duration IS NULL THEN 'none' ELSE CAST(duration AS VARCHAR) END "
      "AS d, address.zip FROM pageviews WHERE userid IN ('a', 'b') AND pageid LIKE 'x%' LIMIT 5");
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  auto plan = CreatePhysicalPlan(std::move(bound).value());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ((*plan)->limit, 5);
  EXPECT_EQ((*plan)->source.topic, "pv");
  EXPECT_EQ((*plan)->source.partitions, 2);
  std::string json = PhysicalPlanToJson(**plan);
  auto again = PhysicalPlanFromJson(json);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << json;
  EXPECT_EQ(PhysicalPlanToJson(**again), json);
  EXPECT_FALSE(PhysicalPlanFromJson(json.substr(0, json.size() / 2)).ok());
}

TEST_F(BinderTest, EndingPositionSurvivesJson) {
  auto bound = Bind("SELECT viewtime FROM pageviews WITH ('ending.position'='LATEST')");
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  auto plan = CreatePhysicalPlan(std::move(bound).value());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE((*plan)->source.end_at_latest);
  (*plan)->source.end_offsets = {5, 7};  // as the engine pins them
  auto again = PhysicalPlanFromJson(PhysicalPlanToJson(**plan));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE((*again)->source.end_at_latest);
  EXPECT_EQ((*again)->source.end_offsets, (std::vector<int64_t>{5, 7}));

  auto unbounded = Bind("SELECT viewtime FROM pageviews WITH ('ending.position'='unbounded')");
  ASSERT_TRUE(unbounded.ok());
  auto unbounded_plan = CreatePhysicalPlan(std::move(unbounded).value());
  ASSERT_TRUE(unbounded_plan.ok());
  EXPECT_FALSE((*unbounded_plan)->source.end_at_latest);
  EXPECT_EQ(PhysicalPlanToJson(**unbounded_plan).find("end_at_latest"), std::string::npos);
}

TEST_F(BinderTest, AggregatePlanSurvivesJson) {
  auto bound = Bind(
      "SELECT window_start, userid, COUNT(*) AS n, COUNT(DISTINCT pageid) AS pages, "
      "MAX(viewtime) AS last FROM HOP(pageviews, SIZE 10 SECONDS, ADVANCE BY 2 SECONDS) "
      "WHERE userid <> 'x' GROUP BY window_start, window_end, userid HAVING COUNT(*) > 1 "
      "EMIT CHANGES");
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  auto plan = CreatePhysicalPlan(std::move(bound).value());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::string json = PhysicalPlanToJson(**plan);
  EXPECT_NE(json.find("\"hop\""), std::string::npos) << json;
  auto again = PhysicalPlanFromJson(json);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << json;
  EXPECT_EQ(PhysicalPlanToJson(**again), json);
}

TEST_F(BinderTest, UngroupedColumnIsAnErrorAtItsPosition) {
  std::string message =
      BindError("SELECT userid, pageid, COUNT(*) FROM pageviews GROUP BY userid", "pageid");
  EXPECT_NE(message.find("must appear in the GROUP BY clause"), std::string::npos) << message;
}

}  // namespace
}  // namespace sluice
