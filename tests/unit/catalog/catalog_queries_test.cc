// Persistent queries: ids, state changes, plans and properties, and dependents lookups.

#include "catalog_test_util.h"

namespace sluice {
namespace {

TEST_F(CatalogTest, CreatesQueriesWithSmallIncreasingIds) {
  RelationInfo pageviews = CreateStream("pageviews");
  RelationInfo users = CreateStream("users");
  RelationInfo enriched = CreateStream("enriched");

  QueryInfo query;
  query.sql = "INSERT INTO enriched SELECT * FROM pageviews JOIN users ON ...";
  query.plan = "{\"operators\":[]}";
  query.sink_relation_id = enriched.id;
  query.source_relation_ids = {users.id, pageviews.id};
  query.properties = {{"restarts", "0"}};
  Result<QueryInfo> first = catalog_->CreateQuery(query);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->id, 1);
  EXPECT_EQ(first->state, QueryState::kCreated);
  EXPECT_EQ(first->owner, "sysadmin");
  EXPECT_EQ(first->updated_at, first->created_at);
  EXPECT_EQ(CreateQuery({pageviews.id}, 0).id, 2);

  Reopen();
  Result<QueryInfo> loaded = catalog_->GetQuery(1);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->sql, query.sql);
  EXPECT_EQ(loaded->plan, query.plan);
  EXPECT_EQ(loaded->sink_relation_id, enriched.id);
  EXPECT_EQ(loaded->source_relation_ids, (std::vector<int64_t>{users.id, pageviews.id}));
  EXPECT_EQ(loaded->properties, query.properties);
  EXPECT_EQ(catalog_->GetQuery(2)->sink_relation_id, 0);

  Result<std::vector<QueryInfo>> all = catalog_->ListQueries();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, 1);
  EXPECT_EQ((*all)[0].source_relation_ids.size(), 2u);
  EXPECT_EQ((*all)[1].id, 2);
  EXPECT_CATALOG_ERROR(catalog_->GetQuery(42), "query 42 does not exist (see SHOW QUERIES)");
  EXPECT_FALSE(catalog_->FindQuery(42)->has_value());
}

TEST_F(CatalogTest, CreatingAQueryChecksItsRelations) {
  RelationInfo pageviews = CreateStream("pageviews");
  QueryInfo query;
  query.sql = "SELECT ...";
  query.source_relation_ids = {pageviews.id, 777};
  EXPECT_CATALOG_ERROR(catalog_->CreateQuery(query), "relation 777 does not exist");
  query.source_relation_ids = {pageviews.id};
  query.sink_relation_id = 778;
  EXPECT_CATALOG_ERROR(catalog_->CreateQuery(query), "relation 778 does not exist");
  EXPECT_TRUE(catalog_->ListQueries()->empty());

  query.sink_relation_id = 0;
  query.state = QueryState::kRunning;
  EXPECT_EQ(catalog_->CreateQuery(query).status().category(), ErrorCategory::kInternal);
}

TEST_F(CatalogTest, QueryStatesFollowTheLifecycle) {
  RelationInfo pageviews = CreateStream("pageviews");
  QueryInfo query = CreateQuery({pageviews.id}, 0);
  ASSERT_TRUE(catalog_->SetQueryState(query.id, QueryState::kRunning, "").ok());
  ASSERT_TRUE(
      catalog_->SetQueryState(query.id, QueryState::kFailed, "worker exited: SIGKILL").ok());
  Result<QueryInfo> failed = catalog_->GetQuery(query.id);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->state, QueryState::kFailed);
  EXPECT_EQ(failed->state_reason, "worker exited: SIGKILL");
  EXPECT_GE(failed->updated_at, failed->created_at);

  // A failed query may be restarted, then terminated; a terminated one only RESTART QUERY
  // moves again (to RUNNING, or FAILED when it cannot start).
  ASSERT_TRUE(catalog_->SetQueryState(query.id, QueryState::kRunning, "restarted").ok());
  ASSERT_TRUE(
      catalog_->SetQueryState(query.id, QueryState::kTerminated, "terminated by TERMINATE QUERY")
          .ok());
  const std::string id = std::to_string(query.id);
  EXPECT_CATALOG_ERROR(
      catalog_->SetQueryState(query.id, QueryState::kCreated, ""),
      "query " + id + " is already TERMINATED; its state cannot change to CREATED");
  EXPECT_CATALOG_ERROR(
      catalog_->SetQueryState(query.id, QueryState::kTerminated, ""),
      "query " + id + " is already TERMINATED; its state cannot change to TERMINATED");
  Reopen();
  Result<QueryInfo> terminated = catalog_->GetQuery(query.id);
  ASSERT_TRUE(terminated.ok());
  EXPECT_EQ(terminated->state, QueryState::kTerminated);
  EXPECT_EQ(terminated->state_reason, "terminated by TERMINATE QUERY");
  ASSERT_TRUE(catalog_->SetQueryState(query.id, QueryState::kRunning, "").ok());
  ASSERT_TRUE(catalog_->SetQueryState(query.id, QueryState::kTerminated, "again").ok());

  QueryInfo other = CreateQuery({pageviews.id}, 0);
  ASSERT_TRUE(catalog_->SetQueryState(other.id, QueryState::kRunning, "").ok());
  EXPECT_CATALOG_ERROR(catalog_->SetQueryState(other.id, QueryState::kCreated, ""),
                       "query " + std::to_string(other.id) + " cannot return to CREATED");
  EXPECT_CATALOG_ERROR(catalog_->SetQueryState(99, QueryState::kRunning, ""),
                       "query 99 does not exist (see SHOW QUERIES)");
}

TEST_F(CatalogTest, ListsQueriesByState) {
  RelationInfo pageviews = CreateStream("pageviews");
  QueryInfo running = CreateQuery({pageviews.id}, 0);
  QueryInfo failed = CreateQuery({pageviews.id}, 0);
  QueryInfo also_running = CreateQuery({pageviews.id}, 0);
  ASSERT_TRUE(catalog_->SetQueryState(running.id, QueryState::kRunning, "").ok());
  ASSERT_TRUE(catalog_->SetQueryState(failed.id, QueryState::kFailed, "boom").ok());
  ASSERT_TRUE(catalog_->SetQueryState(also_running.id, QueryState::kRunning, "").ok());

  Result<std::vector<QueryInfo>> found = catalog_->ListQueriesByState(QueryState::kRunning);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].id, running.id);
  EXPECT_EQ((*found)[1].id, also_running.id);
  EXPECT_EQ((*found)[0].source_relation_ids, std::vector<int64_t>{pageviews.id});
  EXPECT_EQ(catalog_->ListQueriesByState(QueryState::kFailed)->size(), 1u);
  EXPECT_TRUE(catalog_->ListQueriesByState(QueryState::kTerminated)->empty());
}

TEST_F(CatalogTest, StoresPlansAndProperties) {
  RelationInfo pageviews = CreateStream("pageviews");
  QueryInfo query = CreateQuery({pageviews.id}, 0);
  ASSERT_TRUE(catalog_->SetQueryPlan(query.id, "{\"query_id\":1}").ok());
  ASSERT_TRUE(catalog_->SetQueryProperty(query.id, "restarts", "1").ok());
  ASSERT_TRUE(catalog_->SetQueryProperty(query.id, "restarts", "2").ok());
  ASSERT_TRUE(catalog_->SetQueryProperty(query.id, "last.exit", "OOM").ok());
  Reopen();
  Result<QueryInfo> loaded = catalog_->GetQuery(query.id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->plan, "{\"query_id\":1}");
  EXPECT_EQ(loaded->properties, (PropertyMap{{"last.exit", "OOM"}, {"restarts", "2"}}));
  EXPECT_CATALOG_ERROR(catalog_->SetQueryPlan(55, "{}"),
                       "query 55 does not exist (see SHOW QUERIES)");
  EXPECT_CATALOG_ERROR(catalog_->SetQueryProperty(55, "k", "v"),
                       "query 55 does not exist (see SHOW QUERIES)");
}

TEST_F(CatalogTest, FindsTheQueriesThatReadOrWriteARelation) {
  RelationInfo pageviews = CreateStream("pageviews");
  RelationInfo copy = CreateStream("copy");
  RelationInfo unrelated = CreateStream("unrelated");
  QueryInfo reads = CreateQuery({pageviews.id}, copy.id);
  QueryInfo self_loop = CreateQuery({pageviews.id, pageviews.id}, pageviews.id);
  QueryInfo done = CreateQuery({copy.id}, pageviews.id);
  ASSERT_TRUE(catalog_->SetQueryState(done.id, QueryState::kTerminated, "").ok());

  Result<std::vector<QueryDependency>> dependencies = catalog_->ListQueryDependencies(pageviews.id);
  ASSERT_TRUE(dependencies.ok()) << dependencies.status().ToString();
  ASSERT_EQ(dependencies->size(), 3u);
  EXPECT_EQ((*dependencies)[0].query_id, reads.id);
  EXPECT_TRUE((*dependencies)[0].reads);
  EXPECT_FALSE((*dependencies)[0].writes);
  EXPECT_EQ((*dependencies)[1].query_id, self_loop.id);
  EXPECT_TRUE((*dependencies)[1].reads);
  EXPECT_TRUE((*dependencies)[1].writes);
  EXPECT_EQ((*dependencies)[2].query_id, done.id);
  EXPECT_FALSE((*dependencies)[2].reads);
  EXPECT_TRUE((*dependencies)[2].writes);
  EXPECT_EQ((*dependencies)[2].state, QueryState::kTerminated);

  Result<std::vector<QueryInfo>> active = catalog_->ListActiveQueriesUsingRelation(pageviews.id);
  ASSERT_TRUE(active.ok());
  ASSERT_EQ(active->size(), 2u);
  EXPECT_EQ((*active)[0].id, reads.id);
  EXPECT_EQ((*active)[1].id, self_loop.id);
  EXPECT_TRUE(catalog_->ListQueryDependencies(unrelated.id)->empty());

  EXPECT_CATALOG_ERROR(catalog_->DropRelation(pageviews.id),
                       "cannot drop stream \"pageviews\": query " + std::to_string(reads.id) +
                           " reads from it, query " + std::to_string(self_loop.id) +
                           " reads from and writes to it (TERMINATE QUERY " +
                           std::to_string(reads.id) + ", TERMINATE QUERY " +
                           std::to_string(self_loop.id) + " first)");
}

}  // namespace
}  // namespace sluice
