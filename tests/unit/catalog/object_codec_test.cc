#include "catalog/object_codec.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(ObjectCodecTest, EmptyValuesRoundTrip) {
  EXPECT_EQ(EncodeColumns({}), "[]");
  EXPECT_TRUE(DecodeColumns("[]")->empty());
  EXPECT_TRUE(DecodeStrings(EncodeStrings({}))->empty());
  EXPECT_TRUE(DecodeProperties(EncodeProperties({}))->empty());
}

TEST(ObjectCodecTest, DamagedTextIsACatalogError) {
  Result<std::vector<Field>> not_json = DecodeColumns("[{\"name\":");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.status().category(), ErrorCategory::kCatalog);
  EXPECT_NE(not_json.status().message().find("damaged column list"), std::string::npos);

  Result<std::vector<Field>> bad_type = DecodeColumns(R"([{"name":"a","type":"BIGGINT"}])");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("column \"a\""), std::string::npos)
      << bad_type.status().message();

  EXPECT_FALSE(DecodeStrings("[1]").ok());
  EXPECT_FALSE(DecodeProperties(R"({"partitions":4})").ok());
  EXPECT_FALSE(DecodeProperties("[]").ok());
}

}  // namespace
}  // namespace sluice
