#include "storage/log/topic_name.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(TopicNameTest, AcceptsKafkaNames) {
  for (const char* name : {"pageviews", "a", "A.b_c-9", "_internal", "...x", "0"}) {
    EXPECT_TRUE(ValidateTopicName(name).ok()) << name;
  }
  EXPECT_TRUE(ValidateTopicName(std::string(249, 'x')).ok());
}

TEST(TopicNameTest, RejectsOthersWithAClearMessage) {
  Status empty = ValidateTopicName("");
  EXPECT_EQ(empty.category(), ErrorCategory::kStorage);
  EXPECT_EQ(empty.message(), "topic name must not be empty");

  Status long_name = ValidateTopicName(std::string(250, 'x'));
  EXPECT_EQ(long_name.message(), "topic name is 250 characters long; the limit is 249");

  EXPECT_FALSE(ValidateTopicName(".").ok());
  EXPECT_FALSE(ValidateTopicName("..").ok());

  Status slash = ValidateTopicName("a/b");
  EXPECT_EQ(slash.message(),
            "topic name \"a/b\" contains an invalid character at position 2; use only letters, "
            "digits, '.', '_' and '-'");
  for (const char* name : {"has space", "semi;colon", "ünïcode", "tab\t", "star*"}) {
    EXPECT_FALSE(ValidateTopicName(name).ok()) << name;
  }
}

}  // namespace
}  // namespace sluice
