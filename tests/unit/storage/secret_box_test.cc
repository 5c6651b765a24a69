#include "storage/secrets/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sluice {
namespace {

class SecretBoxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("secret_box_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    key_file_ = (dir_ / "keys" / "master.key").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string key_file_;
};

TEST_F(SecretBoxTest, CreatesA0600KeyFileAndRoundTrips) {
  Result<SecretBox> box = SecretBox::OpenOrCreate(key_file_);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  struct stat info {};
  ASSERT_EQ(::stat(key_file_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(info.st_size, 32);

  Result<std::string> sealed = box->Seal("hunter2-password", "store:k1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("hunter2"), std::string::npos);
  // A second engine on the same data dir reads the same key.
  Result<SecretBox> reopened = SecretBox::OpenOrCreate(key_file_);
  ASSERT_TRUE(reopened.ok());
  Result<std::string> opened = reopened->Open(*sealed, "store:k1");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "hunter2-password");
}

TEST_F(SecretBoxTest, RefusesTamperingAnotherContextAndAnotherKey) {
  Result<SecretBox> box = SecretBox::OpenOrCreate(key_file_);
  ASSERT_TRUE(box.ok());
  Result<std::string> sealed = box->Seal("p", "store:k1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(box->Open(*sealed, "store:k2").ok());
  std::string flipped = *sealed;
  flipped[flipped.size() - 1] ^= 1;
  EXPECT_FALSE(box->Open(flipped, "store:k1").ok());
  EXPECT_FALSE(box->Open("short", "store:k1").ok());
  Result<SecretBox> other = SecretBox::OpenOrCreate((dir_ / "other.key").string());
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->Open(*sealed, "store:k1").ok());
}

TEST_F(SecretBoxTest, RefusesAKeyFileOthersCanRead) {
  ASSERT_TRUE(SecretBox::OpenOrCreate(key_file_).ok());
  ASSERT_EQ(::chmod(key_file_.c_str(), 0644), 0);
  Result<SecretBox> box = SecretBox::OpenOrCreate(key_file_);
  ASSERT_FALSE(box.ok());
  EXPECT_NE(box.status().message().find("chmod 600"), std::string::npos);
}

}  // namespace
}  // namespace sluice
