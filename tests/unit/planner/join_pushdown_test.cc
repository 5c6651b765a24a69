// Filters below a join, as the planner places them: a conjunct of WHERE or ON over one side goes
// into PhysicalJoin::filters[side] (evaluated on that side's rows before the join) when the join
// type allows it, and stays above the join (WHERE) or inside it (ON) otherwise. The pushed
// filters travel with the plan to the worker (its JSON).

#include <gtest/gtest.h>

#include "parser/parser.h"
#include "planner/binder/binder.h"
#include "planner/physical_planner.h"
#include "runtime/plan/physical_join.h"
#include "runtime/plan/physical_plan.h"
#include "tests/unit/catalog/catalog_test_util.h"

namespace sluice {
namespace {

class JoinPushdownTest : public CatalogTest {
 protected:
  void SetUp() override {
    CatalogTest::SetUp();
    AddRelation("clicks", CatalogRelationKind::kStream, {});
    AddRelation("views", CatalogRelationKind::kStream, {});
    AddRelation("users", CatalogRelationKind::kChangelog, {"user_id"});
  }

  // (ts, user_id, tag), event time ts; a changelog keyed by `primary_key`.
  void AddRelation(const std::string& name, CatalogRelationKind kind,
                   std::vector<std::string> primary_key) {
    RelationInfo relation = MakeStream(DefaultSchemaId(), name);
    relation.kind = kind;
    relation.columns = {
        {"ts", DataType::Bigint()}, {"user_id", DataType::Varchar()}, {"tag", DataType::Varchar()}};
    relation.primary_key = std::move(primary_key);
    relation.properties["timestamp"] = "ts";
    relation.owner = std::string(kDefaultOwner);
    ASSERT_TRUE(catalog_->CreateRelation(relation).ok());
  }

  // The physical plan of `sql`, checked to survive its trip to a worker unchanged.
  std::unique_ptr<PhysicalPlan> Plan(const std::string& sql) {
    auto statement = ParseStatement(sql);
    EXPECT_TRUE(statement.ok()) << statement.status().ToString();
    if (!statement.ok()) return nullptr;
    statements_.push_back(std::move(statement).value());
    Binder binder(*catalog_, std::string(kDefaultDatabase), std::string(kDefaultSchema));
    auto bound = binder.BindSelect(statements_.back()->As<SelectStatement>());
    EXPECT_TRUE(bound.ok()) << bound.status().ToString();
    if (!bound.ok()) return nullptr;
    auto plan = CreatePhysicalPlan(std::move(bound).value());
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    if (!plan.ok()) return nullptr;
    std::string json = PhysicalPlanToJson(**plan);
    auto again = PhysicalPlanFromJson(json);
    EXPECT_TRUE(again.ok()) << again.status().ToString() << "\n" << json;
    if (again.ok()) {
      EXPECT_EQ(PhysicalPlanToJson(**again), json);
    }
    return std::move(plan).value();
  }

  static const PhysicalJoin& Join(const PhysicalPlan& plan) {
    return static_cast<const PhysicalJoin&>(*plan.operators[0]);
  }
  // The side's pushed filter as text ("" when none), e.g. "(#2 <> 'x')".
  static std::string Filter(const PhysicalPlan& plan, int side_idx) {
    const auto& filter = Join(plan).filters[side_idx];
    return filter ? filter->ToString() : "";
  }
  // True when a Filter runs on the joined rows.
  static bool FilterAbove(const PhysicalPlan& plan) {
    return plan.operators.size() > 1 && plan.operators[1]->kind() == PhysicalOperatorKind::kFilter;
  }

  std::vector<StatementPtr> statements_;
};

TEST_F(JoinPushdownTest, InnerJoinPushesEachSidesConjuncts) {
  auto plan = Plan(
      "SELECT c.ts, v.tag FROM clicks c JOIN views v WITHIN 5 SECONDS ON c.user_id = v.user_id "
      "AND c.tag <> 'a' WHERE v.tag = 'b' AND c.ts > 10");
  ASSERT_NE(plan, nullptr);
  EXPECT_NE(Filter(*plan, 0).find("'a'"), std::string::npos) << Filter(*plan, 0);
  EXPECT_NE(Filter(*plan, 0).find("10"), std::string::npos) << Filter(*plan, 0);
  EXPECT_NE(Filter(*plan, 1).find("'b'"), std::string::npos) << Filter(*plan, 1);
  EXPECT_FALSE(FilterAbove(*plan));  // nothing left above the join
  EXPECT_EQ(Join(*plan).condition, nullptr);
  EXPECT_NE(PhysicalPlanToJson(*plan).find("\"left_filter\""), std::string::npos);
}

TEST_F(JoinPushdownTest, ConjunctsOverBothSidesStayAbove) {
  auto plan = Plan(
      "SELECT c.ts FROM clicks c JOIN views v WITHIN 5 SECONDS ON c.user_id = v.user_id "
      "WHERE c.tag = 'a' OR v.tag = 'b'");
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(Filter(*plan, 0), "");
  EXPECT_EQ(Filter(*plan, 1), "");
  EXPECT_TRUE(FilterAbove(*plan));
}

TEST_F(JoinPushdownTest, LeftJoinPushesOnlyWhatCannotChangeTheOuterRows) {
  // WHERE over the left goes down; WHERE over the right stays above (it must see the NULL rows);
  // ON over the right goes down (it only restricts matches); ON over the left stays in the join.
  auto plan = Plan(
      "SELECT c.ts FROM clicks c LEFT JOIN views v WITHIN 5 SECONDS ON c.user_id = v.user_id "
      "AND v.tag = 'on_right' AND c.tag = 'on_left' WHERE c.ts > 10 AND v.ts > 20");
  ASSERT_NE(plan, nullptr);
  EXPECT_NE(Filter(*plan, 0).find("10"), std::string::npos) << Filter(*plan, 0);
  EXPECT_EQ(Filter(*plan, 0).find("on_left"), std::string::npos) << Filter(*plan, 0);
  EXPECT_NE(Filter(*plan, 1).find("on_right"), std::string::npos) << Filter(*plan, 1);
  EXPECT_EQ(Filter(*plan, 1).find("20"), std::string::npos) << Filter(*plan, 1);
  ASSERT_NE(Join(*plan).condition, nullptr);
  EXPECT_NE(Join(*plan).condition->ToString().find("on_left"), std::string::npos);
  ASSERT_TRUE(FilterAbove(*plan));
  const auto& above = static_cast<const PhysicalFilter&>(*plan->operators[1]);
  EXPECT_NE(above.predicate().ToString().find("20"), std::string::npos);
}

TEST_F(JoinPushdownTest, RightJoinMirrorsLeft) {
  auto plan = Plan(
      "SELECT v.ts FROM clicks c RIGHT JOIN views v WITHIN 5 SECONDS ON c.user_id = v.user_id "
      "AND c.tag = 'on_left' WHERE v.ts > 10 AND c.ts > 20");
  ASSERT_NE(plan, nullptr);
  EXPECT_NE(Filter(*plan, 0).find("on_left"), std::string::npos) << Filter(*plan, 0);
  EXPECT_NE(Filter(*plan, 1).find("10"), std::string::npos) << Filter(*plan, 1);
  EXPECT_TRUE(FilterAbove(*plan));
}

TEST_F(JoinPushdownTest, FullJoinPushesNothing) {
  auto plan = Plan(
      "SELECT c.ts FROM clicks c FULL JOIN views v WITHIN 5 SECONDS ON c.user_id = v.user_id "
      "AND v.tag = 'x' WHERE c.ts > 10");
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(Filter(*plan, 0), "");
  EXPECT_EQ(Filter(*plan, 1), "");
  EXPECT_NE(Join(*plan).condition, nullptr);
  EXPECT_TRUE(FilterAbove(*plan));
}

TEST_F(JoinPushdownTest, TemporalJoinFiltersTheChangelog) {
  // Inner: the changelog's conjunct goes below (its failing versions become deletes at run time).
  auto inner = Plan(
      "SELECT c.ts, u.tag FROM clicks c JOIN users u ON c.user_id = u.user_id "
      "WHERE u.tag = 'OR' AND c.tag = 'x'");
  ASSERT_NE(inner, nullptr);
  EXPECT_NE(Filter(*inner, 1).find("'OR'"), std::string::npos);
  EXPECT_NE(Filter(*inner, 0).find("'x'"), std::string::npos);
  EXPECT_FALSE(FilterAbove(*inner));
  // Left: the changelog's WHERE conjunct stays above the join.
  auto left = Plan(
      "SELECT c.ts, u.tag FROM clicks c LEFT JOIN users u ON c.user_id = u.user_id "
      "WHERE u.tag = 'OR'");
  ASSERT_NE(left, nullptr);
  EXPECT_EQ(Filter(*left, 1), "");
  EXPECT_TRUE(FilterAbove(*left));
}

TEST_F(JoinPushdownTest, GroupByOverAJoinPushesToo) {
  auto plan = Plan(
      "SELECT u.tag, COUNT(*) AS n FROM clicks c JOIN users u ON c.user_id = u.user_id "
      "WHERE c.tag <> 'x' GROUP BY u.tag");
  ASSERT_NE(plan, nullptr);
  EXPECT_NE(Filter(*plan, 0).find("'x'"), std::string::npos);
  EXPECT_FALSE(FilterAbove(*plan));
}

TEST_F(JoinPushdownTest, WhereErrorsStillPointAtWhere) {
  auto statement = ParseStatement(
      "SELECT c.ts FROM clicks c JOIN views v WITHIN 5 SECONDS ON c.user_id = v.user_id "
      "WHERE c.tag AND v.ts > 1");
  ASSERT_TRUE(statement.ok());
  Binder binder(*catalog_, std::string(kDefaultDatabase), std::string(kDefaultSchema));
  auto bound = binder.BindSelect((*statement)->As<SelectStatement>());
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.status().category(), ErrorCategory::kBinder);
}

}  // namespace
}  // namespace sluice
