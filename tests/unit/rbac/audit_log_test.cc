// The hash-chained audit log: a clean chain verifies; a flipped byte, a deleted record, two
// swapped records or a cut-off tail are each found and the first broken record named.

#include "rbac/audit_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::rbac {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_audit_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Result<std::unique_ptr<AuditLog>> log = AuditLog::Open(dir_.string());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int record_idx = 0; record_idx < 5; ++record_idx) {
      AuditRecord record;
      record.user = "admin";
      record.role = "orgadmin";
      record.client = "local";
      record.action = "statement";
      record.object = "shop.raw.t" + std::to_string(record_idx);
      record.result = "ok";
      record.detail = "SELECT *\tFROM t" + std::to_string(record_idx) + "\n-- two lines";
      ASSERT_TRUE((*log)->Append(record).ok());
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::string> Lines() {
    std::ifstream in(dir_ / "audit.log");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  void WriteLines(const std::vector<std::string>& lines) {
    std::ofstream out(dir_ / "audit.log", std::ios::trunc);
    for (const std::string& line : lines) out << line << "\n";
  }

  std::filesystem::path dir_;
};

TEST_F(AuditLogTest, IntactChainVerifiesAndReopenContinuesIt) {
  EXPECT_TRUE(VerifyAuditLog(dir_.string()).ok());
  Result<std::unique_ptr<AuditLog>> log = AuditLog::Open(dir_.string());
  ASSERT_TRUE(log.ok());
  AuditRecord record;
  record.action = "login";
  ASSERT_TRUE((*log)->Append(record).ok());
  Result<std::vector<AuditRecord>> records = (*log)->ReadAll();
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 6u);
  EXPECT_EQ(records->back().sequence, 6);
  EXPECT_EQ(records->back().previous_hash, (*records)[4].hash);
  EXPECT_EQ((*records)[0].detail, "SELECT *\tFROM t0\n-- two lines");  // escapes round-trip
  EXPECT_TRUE(VerifyAuditLog(dir_.string()).ok());
}

TEST_F(AuditLogTest, FlippedByteIsFound) {
  std::vector<std::string> lines = Lines();
  size_t pos = lines[2].find("shop.raw.t2");
  ASSERT_NE(pos, std::string::npos);
  lines[2][pos + 9] = 'X';
  WriteLines(lines);
  Status status = VerifyAuditLog(dir_.string());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("broken at record 3 "), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("edited"), std::string::npos);
}

TEST_F(AuditLogTest, DeletedRecordIsFound) {
  std::vector<std::string> lines = Lines();
  lines.erase(lines.begin() + 1);
  WriteLines(lines);
  Status status = VerifyAuditLog(dir_.string());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("broken at record 2 "), std::string::npos) << status.message();
}

TEST_F(AuditLogTest, SwappedRecordsAreFound) {
  std::vector<std::string> lines = Lines();
  std::swap(lines[3], lines[4]);
  WriteLines(lines);
  Status status = VerifyAuditLog(dir_.string());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("broken at record 4 "), std::string::npos) << status.message();
}

TEST_F(AuditLogTest, TruncatedTailIsFound) {
  std::vector<std::string> lines = Lines();
  lines.pop_back();
  WriteLines(lines);
  Status status = VerifyAuditLog(dir_.string());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("after record 4"), std::string::npos) << status.message();
}

TEST(RedactSecretsTest, PasswordsAndCredentialsNeverReachTheLog) {
  EXPECT_EQ(RedactSecrets("CREATE USER alice WITH PASSWORD 's3cr''et'"),
            "CREATE USER alice WITH PASSWORD '********'");
  EXPECT_EQ(RedactSecrets("alter user bob with password\n'pw'"),
            "alter user bob with password\n'********'");
  EXPECT_EQ(RedactSecrets("CREATE STORE k WITH ('kafka.sasl.username'='u', "
                          "'kafka.sasl.password' = 'p', 'kafka.x.client.secret'='s')"),
            "CREATE STORE k WITH ('kafka.sasl.username'='u', "
            "'kafka.sasl.password' = '********', 'kafka.x.client.secret'='********')");
  EXPECT_EQ(RedactSecrets("SELECT 'password' FROM t WHERE x = 'y'"),
            "SELECT 'password' FROM t WHERE x = 'y'");
  EXPECT_EQ(RedactSecrets("CREATE USER a WITH PASSWORD 'unterminated"),
            "CREATE USER a WITH PASSWORD '********'");
  // Without quotes (a syntax error, but the statement text is still audited).
  EXPECT_EQ(RedactSecrets("CREATE USER a WITH  password hunter2; SELECT 1"),
            "CREATE USER a WITH  password ********; SELECT 1");
  EXPECT_EQ(RedactSecrets("SELECT password FROM t"), "SELECT password FROM t");
  EXPECT_EQ(RedactSecrets("SELECT with_password FROM t"), "SELECT with_password FROM t");
}

// After a power loss the synced head may lag the synced log (the log is synced first): a reopened
// log continues after the log's last record, so no sequence number is used twice and the chain
// still verifies.
TEST_F(AuditLogTest, ReopenAfterAHeadThatLagsContinuesAfterTheLastRecord) {
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 5u);
  std::vector<AuditRecord> records;
  {
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    Result<std::vector<AuditRecord>> parsed = ParseAuditLog(text);
    ASSERT_TRUE(parsed.ok());
    records = *parsed;
  }
  {
    std::ofstream head(dir_ / "audit.head", std::ios::trunc);
    head << 3 << " " << records[2].hash << "\n";
  }
  Result<std::unique_ptr<AuditLog>> log = AuditLog::Open(dir_.string());
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  AuditRecord record;
  record.action = "login";
  record.result = "denied";
  ASSERT_TRUE((*log)->Append(record).ok());
  log->reset();
  EXPECT_EQ(Lines().size(), 6u);
  Status verified = VerifyAuditLog(dir_.string());
  EXPECT_TRUE(verified.ok()) << verified.ToString();
}

// Grouped (read) records are written before Append returns, only their fdatasync waits: a process
// killed right after its reads leaves every record in the log, the head naming the last one, and
// the chain intact. A denial asked to wait is written and synced at once like any denial.
TEST_F(AuditLogTest, GroupedRecordsSurviveAKilledProcess) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::Open(dir_.string());
    if (!log.ok()) ::_exit(3);
    for (int record_idx = 0; record_idx < 200; ++record_idx) {
      AuditRecord record;
      record.action = record_idx % 2 == 0 ? "statement" : "access SELECT";
      record.result = record_idx == 150 ? "denied: no" : record_idx % 2 == 0 ? "ok" : "allowed";
      record.detail = "SELECT * FROM v WHERE k = '" + std::to_string(record_idx) + "'";
      if (!(*log)->Append(record, AuditDurability::kGrouped).ok()) ::_exit(4);
    }
    ::kill(::getpid(), SIGKILL);  // no destructor, no final sync
    ::_exit(5);
  }
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL) << wait_status;
  Status verified = VerifyAuditLog(dir_.string());
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 205u);
  EXPECT_NE(lines.back().find("WHERE k = '199'"), std::string::npos);
  EXPECT_NE(lines[155].find("denied: no"), std::string::npos);
}

}  // namespace
}  // namespace sluice::rbac
