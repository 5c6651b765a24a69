#include <gtest/gtest.h>

#include <sstream>

#include "cli/format/cell_text.h"
#include "cli/format/csv_formatter.h"
#include "cli/format/result_formatter.h"

namespace sluice {
namespace {

Schema IdNameSchema() {
  return Schema({{"id", DataType::Bigint()}, {"name", DataType::Varchar()}});
}

// One batch of (id, name) rows; std::nullopt is NULL.
RecordBatch MakeBatch(
    const std::vector<std::pair<std::optional<int64_t>, std::optional<std::string>>>& rows) {
  RecordBatch batch(IdNameSchema());
  for (const auto& [id, name] : rows) {
    id ? batch.column(0).AppendInt64(*id) : batch.column(0).AppendNull();
    name ? batch.column(1).AppendString(*name) : batch.column(1).AppendNull();
    batch.meta().push_back(RecordMeta{});
  }
  return batch;
}

std::string Format(OutputFormat format, const std::vector<RecordBatch>& batches) {
  std::ostringstream out;
  std::unique_ptr<ResultFormatter> formatter = MakeResultFormatter(format, out);
  formatter->Begin(IdNameSchema());
  int64_t rows = 0;
  for (const RecordBatch& batch : batches) {
    formatter->AddBatch(batch);
    rows += static_cast<int64_t>(batch.num_rows());
  }
  formatter->End(rows);
  return out.str();
}

TEST(CsvFormatterTest, QuotesOnlyWhatRfc4180Requires) {
  std::string line;
  AppendCsvField("plain", line);
  line += ',';
  AppendCsvField("a,b", line);
  line += ',';
  AppendCsvField("say \"hi\"", line);
  line += ',';
  AppendCsvField("two\nlines", line);
  line += ',';
  AppendCsvField("", line);
  EXPECT_EQ(line, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"\"");
}

TEST(CsvFormatterTest, NullIsAnEmptyFieldAndEmptyStringIsQuoted) {
  std::string text =
      Format(OutputFormat::kCsv, {MakeBatch({{1, "a,b"}, {std::nullopt, ""}, {3, std::nullopt}})});
  EXPECT_EQ(text, "id,name\n1,\"a,b\"\n,\"\"\n3,\n");
}

TEST(TableFormatterTest, AlignsNumbersRightAndTextLeft) {
  std::string text = Format(OutputFormat::kTable, {MakeBatch({{1, "alice"}, {1234, "b"}})});
  EXPECT_EQ(text,
            "  id  | name\n"
            "------+-------\n"
            "    1 | alice\n"
            " 1234 | b\n"
            "(2 rows)\n\n");
}

TEST(TableFormatterTest, NullIsBlankAndOneRowIsSingular) {
  std::string text = Format(OutputFormat::kTable, {MakeBatch({{std::nullopt, "x"}})});
  EXPECT_EQ(text,
            " id | name\n"
            "----+------\n"
            "    | x\n"
            "(1 row)\n\n");
}

TEST(TableFormatterTest, EmptyResultStillShowsHeader) {
  std::string text = Format(OutputFormat::kTable, {});
  EXPECT_EQ(text, " id | name\n----+------\n(0 rows)\n\n");
}

TEST(TableFormatterTest, WidthsComeFromTheFirstBatchSoRowsStream) {
  std::ostringstream out;
  std::unique_ptr<ResultFormatter> formatter = MakeResultFormatter(OutputFormat::kTable, out);
  formatter->Begin(IdNameSchema());
  formatter->AddBatch(MakeBatch({{1, "a"}}));
  // The first row is visible before the result ends (a continuous query may never end).
  EXPECT_EQ(out.str(), " id | name\n----+------\n  1 | a\n");
  formatter->AddBatch(MakeBatch({{22, "longer name"}}));
  formatter->End(2);
  EXPECT_EQ(out.str(), " id | name\n----+------\n  1 | a\n 22 | longer name\n(2 rows)\n\n");
}

TEST(TableFormatterTest, MultiByteNamesAlignByCharacters) {
  std::string text = Format(OutputFormat::kTable, {MakeBatch({{1, "Zürich"}, {2, "Oslo"}})});
  EXPECT_EQ(text,
            " id |  name\n"
            "----+--------\n"
            "  1 | Zürich\n"
            "  2 | Oslo\n"
            "(2 rows)\n\n");
}

TEST(JsonFormatterTest, OneArrayPerResultWithNullAsNull) {
  std::string text =
      Format(OutputFormat::kJson, {MakeBatch({{1, "a\"b"}}), MakeBatch({{std::nullopt, "c"}})});
  EXPECT_EQ(text, "[\n{\"id\":1,\"name\":\"a\\\"b\"},\n{\"id\":null,\"name\":\"c\"}\n]\n");
}

TEST(JsonFormatterTest, EmptyResultIsAnEmptyArray) {
  EXPECT_EQ(Format(OutputFormat::kJson, {}), "[]\n");
}

TEST(JsonFormatterTest, JsonLinesHasOneObjectPerLine) {
  std::string text = Format(OutputFormat::kJsonl, {MakeBatch({{1, "a"}, {2, std::nullopt}})});
  EXPECT_EQ(text, "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":null}\n");
}

TEST(CellTextTest, DoublesKeepAFractionAndOtherTypesPrintAsValues) {
  RecordBatch batch(Schema({{"d", DataType::Double()},
                            {"m", DataType::Decimal(10, 2)},
                            {"b", DataType::Boolean()},
                            {"t", DataType::Timestamp()}}));
  batch.column(0).AppendDouble(3.0);
  batch.column(1).AppendInt64(1250);
  batch.column(2).AppendInt64(1);
  batch.column(3).AppendInt64(1700000000123);
  batch.meta().push_back(RecordMeta{});
  std::vector<std::string> cells(4);
  for (size_t column_idx = 0; column_idx < 4; ++column_idx) {
    AppendCellText(batch.column(column_idx), 0, cells[column_idx]);
  }
  EXPECT_EQ(cells, (std::vector<std::string>{"3.0", "12.50", "true", "2023-11-14 22:13:20.123"}));
  std::string fraction;
  Column doubles(DataType::Double());
  doubles.AppendDouble(2.5);
  doubles.AppendDouble(1e20);
  AppendCellText(doubles, 0, fraction);
  fraction += ' ';
  AppendCellText(doubles, 1, fraction);
  EXPECT_EQ(fraction, "2.5 1e+20");
}

TEST(OutputFormatTest, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(*ParseOutputFormat("CSV"), OutputFormat::kCsv);
  EXPECT_EQ(*ParseOutputFormat("jsonl"), OutputFormat::kJsonl);
  Result<OutputFormat> bad = ParseOutputFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("table, csv, json or jsonl"), std::string::npos);
}

}  // namespace
}  // namespace sluice
