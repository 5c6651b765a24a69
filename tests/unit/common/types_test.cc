#include "common/types.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(DataTypeTest, ScalarSpellings) {
  EXPECT_EQ(DataType::Null().ToString(), "NULL");
  EXPECT_EQ(DataType::Boolean().ToString(), "BOOLEAN");
  EXPECT_EQ(DataType::Integer().ToString(), "INTEGER");
  EXPECT_EQ(DataType::Bigint().ToString(), "BIGINT");
  EXPECT_EQ(DataType::Double().ToString(), "DOUBLE");
  EXPECT_EQ(DataType::Decimal(10, 2).ToString(), "DECIMAL(10, 2)");
  EXPECT_EQ(DataType::Varchar().ToString(), "VARCHAR");
  EXPECT_EQ(DataType::Timestamp().ToString(), "TIMESTAMP");
  EXPECT_EQ(DataType::Date().ToString(), "DATE");
  EXPECT_EQ(DataType::Bytes().ToString(), "BYTES");
}

TEST(DataTypeTest, NestedSpellings) {
  DataType s = DataType::Struct({"a", "b"}, {DataType::Bigint(), DataType::Varchar()});
  EXPECT_EQ(s.ToString(), "STRUCT<a BIGINT, b VARCHAR>");
  EXPECT_EQ(DataType::Array(DataType::Varchar()).ToString(), "ARRAY<VARCHAR>");
  EXPECT_EQ(DataType::Map(DataType::Double()).ToString(), "MAP<VARCHAR, DOUBLE>");
  EXPECT_EQ(DataType::Struct({"Odd Name", "q\"x"}, {DataType::Date(), DataType::Date()}).ToString(),
            "STRUCT<\"Odd Name\" DATE, \"q\"\"x\" DATE>");
}

TEST(DataTypeTest, Accessors) {
  DataType d = DataType::Decimal(12, 3);
  EXPECT_EQ(d.id(), TypeId::kDecimal);
  EXPECT_EQ(d.precision(), 12);
  EXPECT_EQ(d.scale(), 3);
  EXPECT_TRUE(d.is_numeric());
  EXPECT_FALSE(d.is_integral());
  DataType s = DataType::Struct({"a", "b"}, {DataType::Bigint(), DataType::Varchar()});
  EXPECT_EQ(s.FieldIndex("b"), 1);
  EXPECT_EQ(s.FieldIndex("B"), -1);
  EXPECT_EQ(s.FieldIndex("c"), -1);
  EXPECT_TRUE(s.is_nested());
  EXPECT_EQ(DataType::Array(DataType::Date()).children()[0], DataType::Date());
}

TEST(DataTypeTest, PhysicalKinds) {
  EXPECT_EQ(DataType::Null().physical(), PhysicalKind::kNull);
  for (DataType t : {DataType::Boolean(), DataType::Integer(), DataType::Bigint(),
                     DataType::Decimal(5, 1), DataType::Timestamp(), DataType::Date()}) {
    EXPECT_EQ(t.physical(), PhysicalKind::kInt64) << t.ToString();
  }
  EXPECT_EQ(DataType::Double().physical(), PhysicalKind::kDouble);
  EXPECT_EQ(DataType::Varchar().physical(), PhysicalKind::kString);
  EXPECT_EQ(DataType::Bytes().physical(), PhysicalKind::kString);
  EXPECT_EQ(DataType::Array(DataType::Bigint()).physical(), PhysicalKind::kNested);
  EXPECT_EQ(DataType::Map(DataType::Bigint()).physical(), PhysicalKind::kNested);
  EXPECT_EQ(DataType::Struct({}, {}).physical(), PhysicalKind::kNested);
}

TEST(DataTypeTest, Equality) {
  EXPECT_EQ(DataType::Decimal(10, 2), DataType::Decimal(10, 2));
  EXPECT_NE(DataType::Decimal(10, 2), DataType::Decimal(10, 3));
  EXPECT_NE(DataType::Decimal(10, 2), DataType::Decimal(11, 2));
  EXPECT_NE(DataType::Bigint(), DataType::Integer());
  EXPECT_NE(DataType::Array(DataType::Bigint()), DataType::Array(DataType::Integer()));
  EXPECT_NE(DataType::Struct({"a"}, {DataType::Bigint()}),
            DataType::Struct({"b"}, {DataType::Bigint()}));
  EXPECT_EQ(DataType::Struct({"a"}, {DataType::Bigint()}),
            DataType::Struct({"a"}, {DataType::Bigint()}));
}

TEST(ParseTypeStringTest, RoundTripsEveryType) {
  std::vector<DataType> types = {
      DataType::Null(),
      DataType::Boolean(),
      DataType::Integer(),
      DataType::Bigint(),
      DataType::Double(),
      DataType::Decimal(18, 4),
      DataType::Varchar(),
      DataType::Timestamp(),
      DataType::Date(),
      DataType::Bytes(),
      DataType::Array(DataType::Array(DataType::Decimal(3, 0))),
      DataType::Map(DataType::Struct({"x", "Y y"}, {DataType::Double(), DataType::Varchar()})),
      DataType::Struct({"a", "b", "c"},
                       {DataType::Map(DataType::Bigint()), DataType::Array(DataType::Timestamp()),
                        DataType::Struct({}, {})}),
  };
  for (const DataType& type : types) {
    Result<DataType> parsed = ParseTypeString(type.ToString());
    ASSERT_TRUE(parsed.ok()) << type.ToString() << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, type) << type.ToString();
  }
}

TEST(ParseTypeStringTest, IsCaseAndSpaceInsensitive) {
  Result<DataType> parsed = ParseTypeString("  struct< a  bigint ,b decimal( 4,2 )>  ");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, DataType::Struct({"a", "b"}, {DataType::Bigint(), DataType::Decimal(4, 2)}));
}

TEST(ParseTypeStringTest, RejectsBadText) {
  for (std::string_view text :
       {"", "BIGINTEGER", "DECIMAL(10)", "DECIMAL(19, 2)", "DECIMAL(4, 5)", "ARRAY<BIGINT",
        "MAP<BIGINT, BIGINT>", "STRUCT<a>", "BIGINT BIGINT", "STRUCT<\"a BIGINT>"}) {
    EXPECT_FALSE(ParseTypeString(text).ok()) << text;
  }
}

TEST(SchemaTest, IndexOfIsExact) {
  Schema schema({{"a", DataType::Bigint()}, {"b", DataType::Varchar()}});
  schema.Add({"c", DataType::Date()});
  EXPECT_EQ(schema.size(), 3u);
  EXPECT_EQ(schema.IndexOf("a"), 0);
  EXPECT_EQ(schema.IndexOf("c"), 2);
  EXPECT_EQ(schema.IndexOf("C"), -1);
  EXPECT_EQ(schema.IndexOf("d"), -1);
  EXPECT_EQ(schema.field(1).type, DataType::Varchar());
}

}  // namespace
}  // namespace sluice
