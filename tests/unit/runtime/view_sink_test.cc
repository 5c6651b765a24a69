// The sink of a keyed materialized view after a restart: the pipeline replays input from its
// operator checkpoint, which can be older than the view store. Where the replay has passed the
// store's positions in one source partition but not yet in another, a row's value lacks input the
// store already reflects; the view must not show it (nor move back in time), and once the replay
// has passed the store everywhere it must hold exactly each key's latest row.

#include "runtime/connector/view_sink.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>

#include "storage/log/local_log_store.h"
#include "storage/view/view_store.h"

namespace sluice {
namespace {

class ViewSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_view_sink_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    Result<std::unique_ptr<LocalLogStore>> log = LocalLogStore::Open(dir_ + "/log");
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->CreateTopic("v", 1).ok());
    spec_.kind = SinkKind::kView;
    spec_.relation = "db.public.v";
    spec_.topic = "v";
    spec_.schema = Schema({Field{"k", DataType::Varchar()}, Field{"n", DataType::Bigint()}});
    spec_.key_columns = {0};
    spec_.properties["view.dir"] = dir_ + "/view";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<ViewSink> OpenSink() {
    Result<std::unique_ptr<ViewSink>> sink = ViewSink::Open(spec_, dir_);
    EXPECT_TRUE(sink.ok()) << sink.status().message();
    if (!sink.ok()) return nullptr;
    (*sink)->set_source_positions([this]() { return positions_; });
    return std::move(*sink);
  }

  // Rows (k, n); a negative n is a delete of k.
  RecordBatch Rows(const std::vector<std::pair<std::string, int64_t>>& rows) {
    RecordBatch batch(spec_.schema);
    for (const auto& [key, n] : rows) {
      batch.column(0).AppendString(key);
      batch.column(1).AppendInt64(n < 0 ? 0 : n);
      batch.meta().push_back(RecordMeta{0, 0, 0});
      if (n < 0) batch.meta().back().kind = RowKind::kDelete;
      batch.keys().emplace_back();
    }
    return batch;
  }

  // The view's rows as its readers see them, by value.
  std::vector<std::string> Contents() {
    Result<std::unique_ptr<ViewStoreReader>> reader =
        ViewStoreReader::Open(dir_ + "/view", dir_ + "/reader" + std::to_string(++readers_));
    EXPECT_TRUE(reader.ok()) << reader.status().message();
    std::vector<std::string> values;
    if (!reader.ok()) return values;
    EXPECT_TRUE((*reader)
                    ->Scan([&](std::string_view, std::string_view value) {
                      values.emplace_back(value);
                      return true;
                    })
                    .ok());
    return values;
  }

  std::string dir_;
  SinkSpec spec_;
  std::map<std::string, std::vector<int64_t>> positions_;
  int readers_ = 0;
};

TEST_F(ViewSinkTest, AReplayBehindTheStoreInOnePartitionShowsNothingOlderThanTheStore) {
  {
    // The first life: the store commits a = 5, b = 7 at positions 10 and 10 of both partitions.
    std::unique_ptr<ViewSink> sink = OpenSink();
    positions_ = {{"src", {10, 10}}};
    ASSERT_TRUE(sink->Write(Rows({{"a", 5}, {"b", 7}})).ok());
    ASSERT_TRUE(sink->Flush().ok());
  }
  EXPECT_EQ(Contents(), (std::vector<std::string>{R"({"k":"a","n":5})", R"({"k":"b","n":7})"}));

  // The second life resumes from an older checkpoint. c's row comes while the replay is behind
  // the store everywhere; a's while it is past the store in partition 0 but behind in 1, so its
  // value lacks partition 1's records the store's a = 5 reflects; b is deleted meanwhile.
  std::unique_ptr<ViewSink> sink = OpenSink();
  positions_ = {{"src", {4, 6}}};
  ASSERT_TRUE(sink->Write(Rows({{"c", 1}})).ok());
  ASSERT_TRUE(sink->Flush().ok());
  positions_ = {{"src", {12, 6}}};
  ASSERT_TRUE(sink->Write(Rows({{"a", 3}, {"b", -1}})).ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(Contents(), (std::vector<std::string>{R"({"k":"a","n":5})", R"({"k":"b","n":7})"}));

  // Past the store in both partitions: each key's latest row, and the delete, apply at once.
  positions_ = {{"src", {12, 10}}};
  ASSERT_TRUE(sink->Write(Rows({{"a", 9}})).ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(Contents(), (std::vector<std::string>{R"({"k":"a","n":9})", R"({"k":"c","n":1})"}));

  // From then on rows apply as they come.
  positions_ = {{"src", {13, 11}}};
  ASSERT_TRUE(sink->Write(Rows({{"c", 2}})).ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(Contents(), (std::vector<std::string>{R"({"k":"a","n":9})", R"({"k":"c","n":2})"}));
}

// Caught up without a row (the replay's rows were filtered out): the flush still commits the
// positions, and what was held goes in.
TEST_F(ViewSinkTest, CatchingUpWithoutARowCommitsWhatWasHeld) {
  {
    std::unique_ptr<ViewSink> sink = OpenSink();
    positions_ = {{"src", {10, 10}}};
    ASSERT_TRUE(sink->Write(Rows({{"a", 5}})).ok());
    ASSERT_TRUE(sink->Flush().ok());
  }
  std::unique_ptr<ViewSink> sink = OpenSink();
  positions_ = {{"src", {12, 3}}};
  ASSERT_TRUE(sink->Write(Rows({{"a", 6}})).ok());
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(Contents(), std::vector<std::string>{R"({"k":"a","n":5})"});
  positions_ = {{"src", {12, 10}}};
  ASSERT_TRUE(sink->Flush().ok());
  EXPECT_EQ(Contents(), std::vector<std::string>{R"({"k":"a","n":6})"});
}

}  // namespace
}  // namespace sluice
