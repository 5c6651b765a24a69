// The durable spill files of an interval join with a state table (join-left.rows,
// join-right.rows): checkpoints reference full chunks' images there instead of writing their rows
// through RocksDB; a restore reads exactly the images its checkpoint references, frees what a
// crash left behind, and keeps rows gone or matched since an image was written; a released
// image's range is freed only once a committed checkpoint no longer references it; a damaged
// file or an unwritable directory is a clear STORAGE error.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "runtime/operator/join_row_store.h"
#include "storage/state/state_store.h"
#include "tests/unit/runtime/join_spill_test_util.h"

namespace sluice {
namespace {

constexpr int64_t kRows = 5 * JoinRowStore::kChunkRows;  // full chunks only

// Bids at times first, first+1, ... with keys time % 1000 and values time + offset.
RecordBatch Bids(int64_t first, int64_t count, int64_t offset) {
  std::vector<Row> rows;
  for (int64_t time = first; time < first + count; ++time)
    rows.push_back({time, time % 1000, time + offset});
  return MakeBatch(rows);
}

// Disk blocks the left side's spill file takes (holes excluded).
int64_t FileBytes(const std::string& dir) {
  struct stat info {};
  if (::stat((dir + "/join-left.rows").c_str(), &info) != 0) return -1;
  return static_cast<int64_t>(info.st_blocks) * 512;
}

class JoinSpillFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/join_spill_file_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Opens `query` with a spill budget of `budget` bytes per side, buffers kRows bids on the left
  // and checkpoints.
  void BufferAndCheckpoint(JoinQuery& query, size_t budget) {
    ASSERT_TRUE(query.Open(dir_, *plan_, context_, budget).ok());
    RecordBatch output(plan_->schema);
    ASSERT_TRUE(query.op->ProcessSide(JoinSide::kLeft, Bids(0, kRows, 0), {}, output).ok());
    ASSERT_TRUE(query.Checkpoint().ok());
  }

  // Every row a left join still holds comes out unmatched at the end of input.
  std::vector<std::string> Drain(JoinQuery& query) {
    RecordBatch output(plan_->schema);
    EXPECT_TRUE(query.op->AdvanceWatermark(INT64_MAX, output).ok());
    std::vector<std::string> rows;
    Collect(output, rows);
    std::sort(rows.begin(), rows.end());
    return rows;
  }
  static std::vector<std::string> Expected(int64_t first, int64_t count, int64_t offset) {
    std::vector<std::string> rows;
    Collect(
        [&] {
          RecordBatch batch = Bids(first, count, offset);
          RecordBatch out(MakeJoin(JoinType::kLeft, false)->schema);
          for (size_t row = 0; row < batch.num_rows(); ++row) {
            out.column(0).AppendFrom(batch.column(0), row);
            out.column(1).AppendFrom(batch.column(1), row);
            out.column(2).AppendNull();
            out.column(3).AppendNull();
            out.meta().push_back(batch.meta()[row]);
            out.keys().emplace_back();
          }
          return out;
        }(),
        rows);
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::string dir_;
  std::unique_ptr<PhysicalJoin> plan_ = MakeJoin(JoinType::kLeft, false);
  EvalContext context_;
};

TEST_F(JoinSpillFileTest, CheckpointsReferenceImagesAndRestoreThem) {
  std::vector<std::string> expected = Expected(0, kRows, 0);
  {
    JoinQuery query;
    ASSERT_TRUE(query.Open(dir_, *plan_, context_, 64 << 10).ok());
    RecordBatch output(plan_->schema);
    ASSERT_TRUE(query.op->ProcessSide(JoinSide::kLeft, Bids(0, kRows, 0), {}, output).ok());
    // Spilled and resident full chunks alike are written to the file, not to the table.
    EXPECT_EQ(query.op->unsaved_bytes(), 0u);
    ASSERT_TRUE(query.Checkpoint().ok());
    EXPECT_LT(query.TableBytes(), 1024u);
    EXPECT_GT(FileBytes(dir_), kRows * 40);
    // The state size a query reports counts the file.
    EXPECT_GE(query.store->ApproximateSizeBytes(), FileBytes(dir_));
  }
  JoinQuery query;
  ASSERT_TRUE(query.Open(dir_, *plan_, context_, 64 << 10).ok());
  EXPECT_EQ(query.op->state_rows(), static_cast<size_t>(kRows));
  EXPECT_EQ(Drain(query), expected);
}

// Images go to the file with direct I/O: after a checkpoint wrote them, none of the file's pages
// sits in the page cache (buffered writes leave every one there). Skipped where the file system
// has no direct I/O (tmpfs).
TEST_F(JoinSpillFileTest, ImagesBypassThePageCache) {
  JoinQuery query;
  ASSERT_NO_FATAL_FAILURE(BufferAndCheckpoint(query, 64 << 10));
  const std::string path = dir_ + "/join-left.rows";
  const int direct = ::open(path.c_str(), O_RDONLY | O_DIRECT);
  if (direct < 0 && errno == EINVAL) GTEST_SKIP() << "no direct I/O in " << dir_;
  ASSERT_GE(direct, 0);
  ::close(direct);
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  struct stat info {};
  ASSERT_EQ(::fstat(fd, &info), 0);
  const auto size = static_cast<size_t>(info.st_size);
  ASSERT_GT(size, static_cast<size_t>(kRows * 40));
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(map, MAP_FAILED);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  ASSERT_EQ(::mincore(map, size, resident.data()), 0);
  size_t cached_pages = 0;
  for (unsigned char flags : resident) cached_pages += flags & 1;
  EXPECT_EQ(cached_pages, 0u) << "of " << resident.size() << " pages";
  ::munmap(map, size);
  ::close(fd);
}

TEST_F(JoinSpillFileTest, ACrashRestoresExactlyTheLastCheckpointAndFreesTheRest) {
  int64_t committed_bytes = 0;
  {
    JoinQuery query;
    ASSERT_TRUE(query.Open(dir_, *plan_, context_, 64 << 10).ok());
    RecordBatch output(plan_->schema);
    ASSERT_TRUE(query.op->ProcessSide(JoinSide::kLeft, Bids(0, kRows, 0), {}, output).ok());
    ASSERT_TRUE(query.Checkpoint().ok());
    committed_bytes = FileBytes(dir_);
    // More rows, written to the file and prepared, but the worker dies before the commit.
    ASSERT_TRUE(query.op->ProcessSide(JoinSide::kLeft, Bids(kRows, kRows, 0), {}, output).ok());
    ASSERT_TRUE(query.op->PrepareCheckpoint().ok());
    EXPECT_GT(FileBytes(dir_), 3 * committed_bytes / 2);
  }
  JoinQuery query;
  ASSERT_TRUE(query.Open(dir_, *plan_, context_, 64 << 10).ok());
  EXPECT_EQ(query.op->state_rows(), static_cast<size_t>(kRows));
  // The uncommitted images are punched out; the committed ones stay until the next checkpoint
  // commits, next to the restored rows' new images.
  EXPECT_LT(FileBytes(dir_), 5 * committed_bytes / 2);
  ASSERT_TRUE(query.Checkpoint().ok());
  ASSERT_TRUE(query.Checkpoint().ok());
  EXPECT_LT(FileBytes(dir_), 3 * committed_bytes / 2);
  EXPECT_EQ(Drain(query), Expected(0, kRows, 0));
}

TEST_F(JoinSpillFileTest, ReleasedImagesAreFreedOnceNoCommittedCheckpointReferencesThem) {
  auto inner = MakeJoin(JoinType::kInner, false);
  JoinQuery query;
  ASSERT_TRUE(query.Open(dir_, *inner, context_, 64 << 10).ok());
  RecordBatch output(inner->schema);
  ASSERT_TRUE(query.op->ProcessSide(JoinSide::kLeft, Bids(0, kRows, 0), {}, output).ok());
  ASSERT_TRUE(query.Checkpoint().ok());
  const int64_t committed_bytes = FileBytes(dir_);
  ASSERT_GT(committed_bytes, kRows * 40);
  // Every row expires: the chunks leave, but checkpoint 1 still references their images.
  ASSERT_TRUE(query.op->AdvanceWatermark(kRows + 1000, output).ok());
  EXPECT_EQ(query.op->state_rows(), 0u);
  ASSERT_TRUE(query.Checkpoint().ok());
  EXPECT_EQ(FileBytes(dir_), committed_bytes);
  // Checkpoint 2 (committed) does not: the next barrier frees them.
  ASSERT_TRUE(query.Checkpoint().ok());
  EXPECT_LT(FileBytes(dir_), committed_bytes / 10);
}

TEST_F(JoinSpillFileTest, RowsGoneOrMatchedAfterTheImageSurviveTheRestore) {
  {
    JoinQuery query;
    // A budget the rows fit in: the full chunks are imaged by the checkpoint, not by a spill.
    ASSERT_NO_FATAL_FAILURE(BufferAndCheckpoint(query, 64 << 20));
    RecordBatch output(plan_->schema);
    // The first 10000 bids expire (emitted with NULLs), and bid 15007 matches.
    ASSERT_TRUE(query.op->AdvanceWatermark(10000 + 100, output).ok());
    EXPECT_EQ(output.num_rows(), 10000u);
    output = RecordBatch(plan_->schema);
    ASSERT_TRUE(
        query.op->ProcessSide(JoinSide::kRight, MakeBatch({{15050, 7, -1}}), {}, output).ok());
    EXPECT_EQ(output.num_rows(), 1u);
    ASSERT_TRUE(query.Checkpoint().ok());
    EXPECT_LT(query.TableBytes(), 8192u);
  }
  JoinQuery query;
  ASSERT_TRUE(query.Open(dir_, *plan_, context_, 64 << 20).ok());
  EXPECT_EQ(query.op->state_rows(), static_cast<size_t>(kRows - 10000 + 1));
  std::vector<std::string> expected = Expected(10000, kRows - 10000, 0);
  expected.erase(std::find(expected.begin(), expected.end(), "15007 7 15007 - -"));
  EXPECT_EQ(Drain(query), expected);
}

TEST_F(JoinSpillFileTest, ATruncatedSpillFileIsAStorageError) {
  {
    JoinQuery query;
    ASSERT_TRUE(query.Open(dir_, *plan_, context_, 64 << 10).ok());
    RecordBatch output(plan_->schema);
    ASSERT_TRUE(query.op->ProcessSide(JoinSide::kLeft, Bids(0, kRows, 0), {}, output).ok());
    ASSERT_TRUE(query.Checkpoint().ok());
  }
  std::filesystem::resize_file(dir_ + "/join-left.rows", 1000);
  JoinQuery query;
  Status status = query.Open(dir_, *plan_, context_, 64 << 10);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.category(), ErrorCategory::kStorage);
  EXPECT_NE(status.message().find("past the end of the spill file"), std::string::npos)
      << status.message();
}

TEST_F(JoinSpillFileTest, AnUnwritableSpillDirectoryIsAStorageError) {
  auto store = StateStore::Open(dir_, StateStoreOptions());
  ASSERT_TRUE(store.ok());
  auto table = (*store)->Table("join");
  ASSERT_TRUE(table.ok());
  IntervalJoinOperator op(*plan_, context_);
  op.SetSpill(dir_ + "/missing", 0);
  ASSERT_TRUE(op.AttachState(*table).ok());  // nothing spilled yet: no file needed
  RecordBatch output(plan_->schema);
  Status status = op.ProcessSide(JoinSide::kLeft, Bids(0, kRows, 0), {}, output);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.category(), ErrorCategory::kStorage);
  EXPECT_NE(status.message().find("cannot open the spill file"), std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace sluice
