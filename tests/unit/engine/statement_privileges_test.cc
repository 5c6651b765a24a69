// Enforcement at execution: a session logged in as a user acts with its role's privileges; INSERT
// and SELECT are denied with the first missing privilege until grants (catalog rows) allow them,
// and each decision is audited.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/engine.h"
#include "engine/engine_impl.h"

namespace sluice {
namespace {

// Collects errors and completed commands; rows are ignored.
class RecordingHandler : public ResultHandler {
 public:
  void OnResultStart(const Schema&) override {}
  Status OnRows(const RecordBatch&) override { return Status::OK(); }
  void OnResultEnd(int64_t) override {}
  void OnCommandComplete(std::string_view tag) override { tags.emplace_back(tag); }
  void OnNotice(std::string_view) override {}
  void OnError(const Status& status) override { errors.push_back(status); }
  std::vector<std::string> tags;
  std::vector<Status> errors;
};

class StatementPrivilegesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sluice-privileges-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    EngineOptions options;
    options.data_dir = dir_ + "/data";
    Result<std::unique_ptr<Engine>> engine = Engine::Open(options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    admin_ = engine_->NewSession();
    ASSERT_TRUE(Run(*admin_, "CREATE STREAM t (a BIGINT); INSERT INTO t VALUES (1);").ok());
    Catalog& catalog = engine_->impl().catalog();
    ASSERT_TRUE(catalog.CreateRole("analyst").ok());
    ASSERT_TRUE(catalog.CreateUser({"bob", std::nullopt, "analyst"}).ok());
    bob_ = engine_->NewSession();
    ASSERT_TRUE(bob_->Login("bob").ok());
  }
  void TearDown() override {
    bob_.reset();
    admin_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }
  Status Run(Session& session, const std::string& sql) {
    RecordingHandler handler;
    return session.ExecuteScript(sql, handler);
  }
  void Grant(const std::string& privilege, const std::string& kind, const std::string& name) {
    ASSERT_TRUE(
        engine_->impl().catalog().PutGrant({privilege, kind, name, "analyst", "sysadmin"}).ok());
  }

  std::string dir_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Session> admin_;
  std::unique_ptr<Session> bob_;
};

TEST_F(StatementPrivilegesTest, InsertAndSelectNeedUsageAndThePrivilege) {
  EXPECT_EQ(bob_->user(), "bob");
  EXPECT_EQ(bob_->role(), "analyst");
  // analyst holds nothing, so it cannot even see the database: t reads as missing.
  Status denied = Run(*bob_, "INSERT INTO t VALUES (2);");
  EXPECT_EQ(denied.category(), ErrorCategory::kBinder);
  EXPECT_EQ(denied.message(),
            "relation \"t\" does not exist: database \"default_db\" does not exist");
  EXPECT_EQ(denied.position(), 12);  // the caret goes under the relation name

  Grant("USAGE", "DATABASE", "default_db");
  Grant("USAGE", "SCHEMA", "default_db.public");
  Grant("INSERT", "RELATION", "default_db.public.t");
  EXPECT_TRUE(Run(*bob_, "INSERT INTO t VALUES (2);").ok());
  denied = Run(*bob_, "SELECT a FROM t LIMIT 1;");
  EXPECT_EQ(denied.message(), "role \"analyst\" lacks SELECT on default_db.public.t");
  // CREATE on the schema is checked first, then SELECT on the sources.
  denied = Run(*bob_, "CREATE STREAM copy AS SELECT a FROM t;");
  EXPECT_EQ(denied.message(), "role \"analyst\" lacks CREATE on SCHEMA default_db.public");

  Grant("SELECT", "ALL RELATIONS IN SCHEMA", "default_db.public");
  EXPECT_TRUE(Run(*bob_, "SELECT a FROM t LIMIT 1;").ok());
  denied = Run(*bob_, "CREATE STREAM mine (a BIGINT);");
  EXPECT_EQ(denied.message(), "role \"analyst\" lacks CREATE on SCHEMA default_db.public");
  denied = Run(*bob_, "CREATE STREAM copy AS SELECT a FROM t;");
  EXPECT_EQ(denied.message(), "role \"analyst\" lacks CREATE on SCHEMA default_db.public");
  Grant("CREATE", "SCHEMA", "default_db.public");
  // The store is not visible without USAGE on it.
  EXPECT_EQ(Run(*bob_, "CREATE STREAM mine (a BIGINT);").message(),
            "store \"local\" does not exist");
  Grant("USAGE", "STORE", "local");
  EXPECT_TRUE(Run(*bob_, "CREATE STREAM mine (a BIGINT);").ok());
  ASSERT_TRUE(engine_->impl()
                  .catalog()
                  .RemoveGrant({"SELECT", "ALL RELATIONS IN SCHEMA", "default_db.public", "analyst",
                                "sysadmin"})
                  .ok());
  denied = Run(*bob_, "CREATE STREAM copy AS SELECT a FROM t;");
  EXPECT_EQ(denied.message(), "role \"analyst\" lacks SELECT on default_db.public.t");
  EXPECT_EQ(Run(*bob_, "CREATE DATABASE other;").message(),
            "role \"analyst\" lacks CREATE_DATABASE on ORGANIZATION");
  EXPECT_EQ(Run(*bob_, "CREATE SCHEMA staging;").message(),
            "role \"analyst\" lacks CREATE_SCHEMA on DATABASE default_db");
  EXPECT_EQ(Run(*bob_, "CREATE STORE k WITH ('type'='kafka', 'uris'='localhost:1');").message(),
            "role \"analyst\" lacks CREATE_STORE on ORGANIZATION");
  EXPECT_TRUE(Run(*admin_, "CREATE DATABASE other; CREATE SCHEMA other.staging;").ok());
  // admin (ORGADMIN > SYSADMIN, the owner) is never affected.
  EXPECT_TRUE(Run(*admin_, "INSERT INTO t VALUES (3);").ok());

  std::ifstream in(dir_ + "/data/audit/audit.log");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("\tbob\tanalyst\tlocal\taccess INSERT\tdefault_db.public.t\tdenied: "
                            "role \"analyst\" lacks USAGE on DATABASE default_db"),
            std::string::npos);
  EXPECT_NE(text.str().find("\tbob\tanalyst\tlocal\taccess SELECT\tdefault_db.public.t\tallowed"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice
