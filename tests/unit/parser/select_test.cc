#include <gtest/gtest.h>

#include <string>

#include "parser/parser.h"

namespace sluice {
namespace {

SelectPtr ParseSelectText(const std::string& text) {
  Result<StatementPtr> statement = ParseStatement(text);
  EXPECT_TRUE(statement.ok()) << text << ": " << statement.status().ToString();
  if (!statement.ok() || (*statement)->kind != StatementKind::kSelect) return nullptr;
  return SelectPtr(static_cast<SelectStatement*>(std::move(statement).value().release()));
}

using Parts = std::vector<std::string>;

TEST(SelectTest, AllClauses) {
  SelectPtr select = ParseSelectText(
      "SELECT DISTINCT pageid, COUNT(*) AS n, upper(userid) u FROM pageviews pv "
      "WHERE userid <> 'u1' GROUP BY pageid, userid HAVING COUNT(*) > 1 EMIT CHANGES "
      "ORDER BY n DESC NULLS LAST, pageid ASC, u NULLS FIRST LIMIT 5");
  ASSERT_NE(select, nullptr);
  EXPECT_TRUE(select->distinct);
  ASSERT_EQ(select->items.size(), 3u);
  EXPECT_TRUE(select->items[0].alias.empty());
  EXPECT_EQ(select->items[1].alias, "n");
  EXPECT_EQ(select->items[2].alias, "u");
  EXPECT_EQ(ToSql(*select->items[2].expr), "upper(userid)");
  ASSERT_EQ(select->from->kind, FromKind::kRelation);
  EXPECT_EQ(select->from->alias, "pv");
  EXPECT_NE(select->where, nullptr);
  EXPECT_EQ(select->group_by.size(), 2u);
  EXPECT_NE(select->having, nullptr);
  EXPECT_EQ(select->emit, EmitMode::kChanges);
  ASSERT_EQ(select->order_by.size(), 3u);
  EXPECT_TRUE(select->order_by[0].descending);
  EXPECT_EQ(select->order_by[0].nulls, NullsOrder::kLast);
  EXPECT_FALSE(select->order_by[1].descending);
  EXPECT_EQ(select->order_by[2].nulls, NullsOrder::kFirst);
  EXPECT_EQ(select->limit, 5);
}

TEST(SelectTest, MinimalSelectHasNoOptionalClauses) {
  SelectPtr select = ParseSelectText("SELECT 1 + 1");
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->from, nullptr);
  EXPECT_EQ(select->where, nullptr);
  EXPECT_EQ(select->emit, EmitMode::kDefault);
  EXPECT_FALSE(select->limit.has_value());
  EXPECT_EQ(select->begin, 0);
  EXPECT_EQ(select->end, 12);
}

TEST(SelectTest, Stars) {
  SelectPtr select = ParseSelectText("SELECT *, pv.*, shop.raw.pv.* FROM shop.raw.pv");
  ASSERT_NE(select, nullptr);
  ASSERT_EQ(select->items.size(), 3u);
  EXPECT_TRUE(select->items[0].expr->As<StarExpr>().qualifier.empty());
  EXPECT_EQ(select->items[1].expr->As<StarExpr>().qualifier, Parts{"pv"});
  EXPECT_EQ(select->items[1].expr->position, 10);
  EXPECT_EQ(select->items[2].expr->As<StarExpr>().qualifier, (Parts{"shop", "raw", "pv"}));
  EXPECT_EQ(select->from->As<RelationRef>().name.parts, (Parts{"shop", "raw", "pv"}));
}

TEST(SelectTest, EmitFinal) {
  SelectPtr select = ParseSelectText("SELECT a FROM t EMIT FINAL");
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->emit, EmitMode::kFinal);
  EXPECT_EQ(select->emit_position, 16);
}

TEST(SelectTest, RelationWithSourceProperties) {
  SelectPtr select = ParseSelectText(
      "SELECT * FROM pageviews AS p WITH ('starting.position'='earliest', "
      "'source.allow.latency.millis'=5000)");
  ASSERT_NE(select, nullptr);
  const auto& relation = select->from->As<RelationRef>();
  EXPECT_EQ(relation.alias, "p");
  EXPECT_EQ(relation.alias_position, 27);
  ASSERT_EQ(relation.properties.size(), 2u);
  EXPECT_EQ(relation.properties[1].value, "5000");
}

TEST(SelectTest, Windows) {
  SelectPtr tumble = ParseSelectText(
      "SELECT window_start, window_end, COUNT(*) FROM TUMBLE(pageviews, SIZE 1 MINUTE) w "
      "GROUP BY window_start, window_end");
  ASSERT_NE(tumble, nullptr);
  const auto& t = tumble->from->As<WindowRef>();
  EXPECT_EQ(t.window_kind, WindowKind::kTumble);
  EXPECT_EQ(t.size.millis, 60000);
  EXPECT_EQ(t.size.count, 1);
  EXPECT_EQ(t.size.unit, TimeUnit::kMinute);
  EXPECT_EQ(t.size.position, 70);
  EXPECT_EQ(t.alias, "w");
  EXPECT_EQ(t.input->As<RelationRef>().name.parts, Parts{"pageviews"});

  SelectPtr hop =
      ParseSelectText("SELECT * FROM HOP(pageviews p, SIZE 10 SECONDS, ADVANCE BY 2 SECOND) AS h");
  ASSERT_NE(hop, nullptr);
  const auto& h = hop->from->As<WindowRef>();
  EXPECT_EQ(h.window_kind, WindowKind::kHop);
  EXPECT_EQ(h.size.millis, 10000);
  EXPECT_EQ(h.advance.millis, 2000);
  EXPECT_EQ(h.input->alias, "p");
  EXPECT_EQ(h.alias, "h");

  SelectPtr session = ParseSelectText("SELECT * FROM SESSION(pv, GAP 30 SECOND)");
  ASSERT_NE(session, nullptr);
  const auto& s = session->from->As<WindowRef>();
  EXPECT_EQ(s.window_kind, WindowKind::kSession);
  EXPECT_EQ(s.gap.millis, 30000);
  EXPECT_TRUE(s.alias.empty());

  SelectPtr units =
      ParseSelectText("SELECT * FROM HOP(pv, SIZE 2 DAYS, ADVANCE BY 250 MILLISECONDS)");
  ASSERT_NE(units, nullptr);
  EXPECT_EQ(units->from->As<WindowRef>().size.millis, 2 * 86400000LL);
  EXPECT_EQ(units->from->As<WindowRef>().advance.millis, 250);

  // Without "(", these words are relation names.
  SelectPtr named = ParseSelectText("SELECT * FROM session");
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(named->from->kind, FromKind::kRelation);
}

TEST(SelectTest, Joins) {
  SelectPtr select = ParseSelectText(
      "SELECT * FROM a JOIN b WITHIN 1 HOUR ON a.k = b.k LEFT OUTER JOIN c ON a.k = c.k "
      "RIGHT JOIN d ON true FULL JOIN e WITHIN (5 SECONDS, 1 MINUTE) ON true INNER JOIN f ON "
      "false");
  ASSERT_NE(select, nullptr);
  // Left-deep: ((((a JOIN b) LEFT JOIN c) RIGHT JOIN d) FULL JOIN e) JOIN f
  const auto& inner_f = select->from->As<JoinRef>();
  EXPECT_EQ(inner_f.join_kind, JoinKind::kInner);
  EXPECT_EQ(inner_f.right->As<RelationRef>().name.parts, Parts{"f"});
  const auto& full = inner_f.left->As<JoinRef>();
  EXPECT_EQ(full.join_kind, JoinKind::kFull);
  ASSERT_TRUE(full.within.has_value());
  EXPECT_TRUE(full.within->pair_syntax);
  EXPECT_EQ(full.within->before.millis, 5000);
  EXPECT_EQ(full.within->after.millis, 60000);
  const auto& right = full.left->As<JoinRef>();
  EXPECT_EQ(right.join_kind, JoinKind::kRight);
  EXPECT_FALSE(right.within.has_value());
  const auto& left = right.left->As<JoinRef>();
  EXPECT_EQ(left.join_kind, JoinKind::kLeft);
  const auto& first = left.left->As<JoinRef>();
  EXPECT_EQ(first.join_kind, JoinKind::kInner);
  ASSERT_TRUE(first.within.has_value());
  EXPECT_FALSE(first.within->pair_syntax);
  EXPECT_EQ(first.within->before.millis, 3600000);
  EXPECT_EQ(first.within->after.millis, 3600000);
  EXPECT_EQ(first.within->position, 23);
  EXPECT_EQ(first.join_position, 16);
  EXPECT_EQ(ToSql(*first.condition), "a.k = b.k");
  EXPECT_EQ(first.left->As<RelationRef>().name.parts, Parts{"a"});
}

TEST(SelectTest, WindowOverJoinInput) {
  SelectPtr select =
      ParseSelectText("SELECT * FROM TUMBLE(a JOIN b WITHIN 1 MINUTE ON a.k = b.k, SIZE 1 HOUR)");
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(select->from->As<WindowRef>().input->kind, FromKind::kJoin);
}

class SelectRoundTripTest : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(SelectRoundTripTest, Canonical) {
  const auto& [input, canonical] = GetParam();
  SelectPtr select = ParseSelectText(input);
  ASSERT_NE(select, nullptr);
  EXPECT_EQ(ToSql(*select), canonical);
  SelectPtr again = ParseSelectText(canonical);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(ToSql(*again), canonical);
}

INSTANTIATE_TEST_SUITE_P(
    All, SelectRoundTripTest,
    ::testing::Values(
        std::make_pair("select * from pv where userid = 'u1' limit 5",
                       "SELECT * FROM pv WHERE userid = 'u1' LIMIT 5"),
        std::make_pair("select all a x, b as \"Y\" from t \"T\"",
                       "SELECT a AS x, b AS \"Y\" FROM t AS \"T\""),
        std::make_pair("select count(*) from tumble(pv, size 1 minutes) group by window_start "
                       "having count(*) > 2 emit final",
                       "SELECT count(*) FROM TUMBLE(pv, SIZE 1 MINUTE) GROUP BY window_start "
                       "HAVING count(*) > 2 EMIT FINAL"),
        std::make_pair("select * from hop(pv p with ('a'='b'), size 10 second, advance by 2 "
                       "seconds) h",
                       "SELECT * FROM HOP(pv AS p WITH ('a' = 'b'), SIZE 10 SECOND, ADVANCE BY 2 "
                       "SECOND) AS h"),
        std::make_pair("select * from session(pv, gap 3 days)",
                       "SELECT * FROM SESSION(pv, GAP 3 DAY)"),
        std::make_pair("select * from a left outer join b within (1 second, 2 hours) on a.k=b.k",
                       "SELECT * FROM a LEFT JOIN b WITHIN (1 SECOND, 2 HOUR) ON a.k = b.k"),
        std::make_pair("select distinct a from t order by a desc nulls first, b asc nulls last",
                       "SELECT DISTINCT a FROM t ORDER BY a DESC NULLS FIRST, b NULLS LAST"),
        std::make_pair("select t.*, \"select\" from t emit changes",
                       "SELECT t.*, \"select\" FROM t EMIT CHANGES")));

}  // namespace
}  // namespace sluice
