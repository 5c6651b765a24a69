// The state store's file system (store_file_system.h): which files stay in memory, that a
// buffered file renamed to any other name reaches the disk, and that a store creation leaving
// CURRENT in memory is refused.

#include "storage/state/store_file_system.h"

#include <gtest/gtest.h>
#include <rocksdb/file_system.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/unit/storage/log_test_util.h"

namespace sluice {
namespace {

using sluice::testing::ScratchDir;

void Write(rocksdb::FileSystem& fs, const std::string& path, const std::string& contents) {
  ASSERT_TRUE(rocksdb::WriteStringToFile(&fs, contents, path, /*should_sync=*/true).ok()) << path;
}

std::string Read(rocksdb::FileSystem& fs, const std::string& path) {
  std::string contents;
  EXPECT_TRUE(rocksdb::ReadFileToString(&fs, path, &contents).ok()) << path;
  return contents;
}

std::string ReadFromDisk(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

bool OnDisk(const std::string& path) { return std::filesystem::exists(path); }

// Counts the directory fsyncs that reach the disk.
class CountingFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  CountingFileSystem() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "CountingFileSystem"; }
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override {
    class Counting final : public rocksdb::FSDirectoryWrapper {
     public:
      Counting(std::unique_ptr<rocksdb::FSDirectory> target, int* fsyncs)
          : rocksdb::FSDirectoryWrapper(std::move(target)), fsyncs_(fsyncs) {}
      rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
        ++*fsyncs_;
        return rocksdb::FSDirectoryWrapper::Fsync(options, dbg);
      }
      rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                            rocksdb::IODebugContext* dbg,
                                            const rocksdb::DirFsyncOptions&) override {
        return Fsync(options, dbg);
      }

     private:
      int* fsyncs_;
    };
    std::unique_ptr<rocksdb::FSDirectory> directory;
    rocksdb::IOStatus status = target()->NewDirectory(name, options, &directory, dbg);
    if (status.ok()) *result = std::make_unique<Counting>(std::move(directory), &fsyncs);
    return status;
  }
  int fsyncs = 0;
};

class StoreFileSystemTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  // As RocksDB's creation of a store writes it: MANIFEST-000001, then CURRENT naming it through
  // a temporary file.
  void WriteFirstManifestAndCurrent() {
    env_.BeginCreate(dir_.path());
    Write(fs_, Path("MANIFEST-000001"), "first");
    Write(fs_, Path("000001.dbtmp"), "MANIFEST-000001\n");
    ASSERT_TRUE(fs_.RenameFile(Path("000001.dbtmp"), Path("CURRENT"), {}, nullptr).ok());
  }

  ScratchDir dir_;
  StoreEnv env_;
  rocksdb::FileSystem& fs_ = *env_.env()->GetFileSystem();
};

TEST_F(StoreFileSystemTest, OptionsAndIdentityFilesStayInMemory) {
  Write(fs_, Path("OPTIONS-000005.dbtmp"), "options");
  ASSERT_TRUE(
      fs_.RenameFile(Path("OPTIONS-000005.dbtmp"), Path("OPTIONS-000006"), {}, nullptr).ok());
  Write(fs_, Path("000000.dbtmp"), "id");
  ASSERT_TRUE(fs_.RenameFile(Path("000000.dbtmp"), Path("IDENTITY"), {}, nullptr).ok());
  EXPECT_EQ(Read(fs_, Path("OPTIONS-000006")), "options");
  EXPECT_EQ(Read(fs_, Path("IDENTITY")), "id");
  EXPECT_TRUE(fs_.FileExists(Path("IDENTITY"), {}, nullptr).ok());
  EXPECT_FALSE(OnDisk(Path("OPTIONS-000006")));
  EXPECT_FALSE(OnDisk(Path("IDENTITY")));
  EXPECT_FALSE(OnDisk(Path("000000.dbtmp")));
  // Other files go to disk as usual.
  Write(fs_, Path("000007.log"), "wal");
  EXPECT_EQ(ReadFromDisk(Path("000007.log")), "wal");
}

TEST_F(StoreFileSystemTest, BufferedFileRenamedToAnotherNameIsWrittenToDisk) {
  Write(fs_, Path("000000.dbtmp"), "contents");
  ASSERT_TRUE(fs_.RenameFile(Path("000000.dbtmp"), Path("SOMETHING"), {}, nullptr).ok());
  EXPECT_EQ(ReadFromDisk(Path("SOMETHING")), "contents");
  EXPECT_FALSE(OnDisk(Path("000000.dbtmp")));
}

TEST_F(StoreFileSystemTest, FirstManifestAndCurrentStayInMemoryOnlyWhileCreating) {
  const std::string current = Path("CURRENT");
  WriteFirstManifestAndCurrent();
  EXPECT_FALSE(OnDisk(current));
  EXPECT_FALSE(OnDisk(Path("MANIFEST-000001")));
  EXPECT_EQ(Read(fs_, current), "MANIFEST-000001\n");
  // Replaced on disk, as RocksDB's open does: the disk's CURRENT is the one read from then on.
  Write(fs_, Path("MANIFEST-000005"), "second");
  Write(fs_, Path("000005.dbtmp"), "MANIFEST-000005\n");
  ASSERT_TRUE(fs_.RenameFile(Path("000005.dbtmp"), current, {}, nullptr).ok());
  EXPECT_EQ(ReadFromDisk(current), "MANIFEST-000005\n");
  EXPECT_EQ(Read(fs_, current), "MANIFEST-000005\n");
  EXPECT_TRUE(env_.EndCreate(dir_.path()).ok());
  EXPECT_TRUE(fs_.FileExists(Path("MANIFEST-000001"), {}, nullptr).IsNotFound());
  // Outside a creation the same names are ordinary files.
  Write(fs_, Path("MANIFEST-000001"), "disk");
  EXPECT_EQ(ReadFromDisk(Path("MANIFEST-000001")), "disk");
}

TEST_F(StoreFileSystemTest, CreationLeavingCurrentInMemoryIsRefused) {
  const std::string current = Path("CURRENT");
  WriteFirstManifestAndCurrent();
  Status ended = env_.EndCreate(dir_.path());
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.category(), ErrorCategory::kInternal);
  EXPECT_NE(ended.message().find("CURRENT"), std::string::npos) << ended.message();
  EXPECT_TRUE(fs_.FileExists(current, {}, nullptr).IsNotFound());
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

TEST(StoreFileSystemDirectoryTest, DirectoryFsyncReachesTheDiskOnlyAfterAnEntryChanged) {
  ScratchDir dir;
  auto counting = std::make_shared<CountingFileSystem>();
  StoreEnv env(counting);
  rocksdb::FileSystem& fs = *env.env()->GetFileSystem();
  std::unique_ptr<rocksdb::FSDirectory> directory;
  ASSERT_TRUE(fs.NewDirectory(dir.path(), {}, &directory, nullptr).ok());
  auto fsync = [&] { ASSERT_TRUE(directory->Fsync({}, nullptr).ok()); };
  fsync();
  EXPECT_EQ(counting->fsyncs, 1);
  fsync();  // nothing changed
  EXPECT_EQ(counting->fsyncs, 1);
  Write(fs, dir.path() + "/OPTIONS-000003.dbtmp", "options");
  ASSERT_TRUE(fs.RenameFile(dir.path() + "/OPTIONS-000003.dbtmp", dir.path() + "/OPTIONS-000004",
                            {}, nullptr)
                  .ok());
  fsync();  // a rename in memory changes no entry
  EXPECT_EQ(counting->fsyncs, 1);
  Write(fs, dir.path() + "/000005.log", "wal");
  fsync();
  EXPECT_EQ(counting->fsyncs, 2);
  ASSERT_TRUE(
      fs.RenameFile(dir.path() + "/000005.log", dir.path() + "/000006.log", {}, nullptr).ok());
  fsync();
  EXPECT_EQ(counting->fsyncs, 3);
  ASSERT_TRUE(fs.DeleteFile(dir.path() + "/000006.log", {}, nullptr).ok());
  fsync();
  fsync();
  EXPECT_EQ(counting->fsyncs, 4);
}

}  // namespace
}  // namespace sluice
