#include "rbac/scram.h"

#include <gtest/gtest.h>

namespace sluice::rbac {
namespace {

TEST(ScramTest, VerifierChecksOnlyTheRightPassword) {
  Result<std::string> verifier = MakeScramVerifier("correct horse");
  ASSERT_TRUE(verifier.ok());
  EXPECT_EQ(verifier->rfind("SCRAM-SHA-256$4096:", 0), 0u);
  EXPECT_EQ(verifier->find("correct horse"), std::string::npos);
  EXPECT_TRUE(*CheckScramPassword("correct horse", *verifier));
  EXPECT_FALSE(*CheckScramPassword("correct horse ", *verifier));
  EXPECT_FALSE(*CheckScramPassword("", *verifier));
}

TEST(ScramTest, SaltsDiffer) { EXPECT_NE(*MakeScramVerifier("pw"), *MakeScramVerifier("pw")); }

// RFC 7677's test vector: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096
// iterations gives the StoredKey and ServerKey below.
TEST(ScramTest, MatchesRfc7677) {
  const std::string verifier =
      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";
  EXPECT_TRUE(*CheckScramPassword("pencil", verifier));
  EXPECT_FALSE(*CheckScramPassword("pencils", verifier));
  EXPECT_FALSE(CheckScramPassword("pencil", "md5abc").ok());
}

}  // namespace
}  // namespace sluice::rbac
