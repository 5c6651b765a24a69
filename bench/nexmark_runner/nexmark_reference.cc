#include "bench/nexmark_runner/nexmark_reference.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

#include "runtime/connector/datagen/datagen_options.h"
#include "runtime/connector/datagen/nexmark_model.h"
#include "storage/log/local_log_store.h"

namespace sluice::bench {
namespace {

namespace od = simdjson::ondemand;
using nexmark::NexmarkField;

// How a query's output columns are digested: by name, with the decimal scale for DECIMAL
// columns (0 for integers and epoch-ms timestamps).
struct DigestColumn {
  const char* name;
  int scale;
  bool floating = false;  // a DOUBLE: parsed as one, then rounded to `scale` decimals
};

std::optional<std::vector<DigestColumn>> DigestColumns(const std::string& query_name) {
  if (query_name == "q0") {
    return std::vector<DigestColumn>{{"auction", 0}, {"bidder", 0}, {"price", 0}, {"datetime", 0}};
  }
  if (query_name == "q1") {
    return std::vector<DigestColumn>{{"auction", 0}, {"bidder", 0}, {"price", 3}, {"datetime", 0}};
  }
  if (query_name == "q2") return std::vector<DigestColumn>{{"auction", 0}, {"price", 0}};
  if (query_name == "q3") return std::vector<DigestColumn>{{"id", 0}};
  if (query_name == "q4") return std::vector<DigestColumn>{{"category", 0}, {"avg_final", 3, true}};
  if (query_name == "q5") return std::vector<DigestColumn>{{"auction", 0}, {"num", 0}};
  if (query_name == "q7") {
    return std::vector<DigestColumn>{{"auction", 0}, {"price", 0}, {"bidder", 0}, {"datetime", 0}};
  }
  if (query_name == "q8") return std::vector<DigestColumn>{{"id", 0}, {"window_start", 0}};
  return std::nullopt;
}

// The columns of the changelog a query's measured statement reads, for its final state.
std::optional<std::vector<DigestColumn>> ChangelogDigestColumns(const std::string& query_name) {
  if (query_name == "q4") {
    return std::vector<DigestColumn>{{"id", 0}, {"category", 0}, {"final", 0}};
  }
  return std::nullopt;
}

// A JSON number token as an integer scaled by 10^scale ("908.000" at scale 3 -> 908000).
bool ParseScaled(std::string_view token, int scale, int64_t& out) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\n')) token.remove_suffix(1);
  bool negative = !token.empty() && token[0] == '-';
  if (negative) token.remove_prefix(1);
  if (token.empty()) return false;
  int64_t value = 0;
  int fraction_digits = -1;  // -1: before the point
  for (char c : token) {
    if (c == '.') {
      if (fraction_digits >= 0) return false;
      fraction_digits = 0;
      continue;
    }
    if (c < '0' || c > '9') return false;
    if (fraction_digits >= 0) {
      if (fraction_digits == scale) continue;  // beyond the scale: truncated (never happens)
      ++fraction_digits;
    }
    value = value * 10 + (c - '0');
  }
  for (int digit = std::max(fraction_digits, 0); digit < scale; ++digit) value *= 10;
  out = negative ? -value : value;
  return true;
}

bool ParseColumn(std::string_view token, const DigestColumn& column, int64_t& out) {
  if (!column.floating) return ParseScaled(token, column.scale, out);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\n')) token.remove_suffix(1);
  double value = 0;
  auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (error != std::errc() || end != token.data() + token.size()) return false;
  out = RoundedDouble(value, column.scale);
  return true;
}

}  // namespace

uint64_t HashRow(const std::vector<int64_t>& values) {
  RowHasher row;
  for (int64_t value : values) row.Add(value);
  return row.hash();
}

int64_t RoundedDouble(double value, int scale) {
  return std::llround(value * std::pow(10.0, scale));
}

std::string RowDigest::ToString() const {
  char checksum_text[32];
  std::snprintf(checksum_text, sizeof(checksum_text), "%016llx",
                static_cast<unsigned long long>(checksum));
  return "rows=" + std::to_string(rows) + " checksum=" + checksum_text;
}

std::optional<QueryReference> ComputeReference(const std::string& query_name, int64_t events,
                                               uint64_t seed) {
  if (query_name != "q0" && query_name != "q1" && query_name != "q2") {
    return ComputeJoinReference(query_name, events, seed);
  }
  Result<DatagenOptions> options = ParseDatagenOptions({{"generator", "nexmark.bid"},
                                                        {"events", std::to_string(events)},
                                                        {"seed", std::to_string(seed)}});
  if (!options.ok()) return std::nullopt;
  nexmark::NexmarkModel model(*options);
  QueryReference reference;
  for (int64_t event = 0; event < events; ++event) {
    if (nexmark::KindOf(event) != nexmark::EventKind::kBid) continue;
    ++reference.input_rows;
    const int64_t auction = model.IntField(NexmarkField::kBidAuction, event);
    const int64_t price = model.IntField(NexmarkField::kBidPrice, event);
    RowHasher row;
    if (query_name == "q2") {
      if (auction % 123 != 0) continue;
      row.Add(auction);
      row.Add(price);
    } else {
      row.Add(auction);
      row.Add(model.IntField(NexmarkField::kBidBidder, event));
      row.Add(query_name == "q1" ? price * 908 : price);
      row.Add(model.IntField(NexmarkField::kBidDateTime, event));
    }
    ++reference.output.rows;
    reference.output.checksum += row.hash();
  }
  return reference;
}

namespace {

// Calls `visit` with every record of `topic` in the local log under `log_dir`, in order per
// partition.
Status VisitTopic(const std::string& log_dir, const std::string& topic,
                  const std::function<Status(const LogRecordView&)>& visit) {
  ASSIGN_OR_RETURN(std::unique_ptr<LocalLogStore> store, LocalLogStore::Open(log_dir));
  ASSIGN_OR_RETURN(std::vector<int64_t> ends, store->EndOffsets(topic));
  std::vector<LogRecordView> records;
  for (int32_t partition = 0; partition < static_cast<int32_t>(ends.size()); ++partition) {
    ASSIGN_OR_RETURN(std::unique_ptr<PartitionReader> reader,
                     store->OpenReader(topic, partition, kLogEarliest));
    while (reader->position() < ends[static_cast<size_t>(partition)]) {
      RETURN_NOT_OK(reader->Poll(4096, records));
      if (records.empty()) return Status::Storage("topic " + topic + " ended early");
      for (const LogRecordView& record : records) RETURN_NOT_OK(visit(record));
    }
  }
  return Status::OK();
}

// Sets `values` to the digested columns of a record's JSON object value.
Status ReadColumns(od::parser& parser, const LogRecordView& record, const std::string& topic,
                   const std::vector<DigestColumn>& columns, std::vector<int64_t>& values) {
  simdjson::padded_string json(*record.value);
  od::document doc = parser.iterate(json);
  od::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    return Status::Execution("record at offset " + std::to_string(record.offset) + " of " + topic +
                             " is not a JSON object");
  }
  values.clear();
  for (const DigestColumn& column : columns) {
    std::string_view token;
    int64_t value = 0;
    if (object.find_field_unordered(column.name).raw_json_token().get(token) != simdjson::SUCCESS ||
        !ParseColumn(token, column, value)) {
      return Status::Execution("record at offset " + std::to_string(record.offset) + " of " +
                               topic + ": no number in field \"" + column.name +
                               "\": " + std::string(*record.value));
    }
    values.push_back(value);
  }
  return Status::OK();
}

}  // namespace

Result<RowDigest> DigestOutputTopic(const std::string& query_name, const std::string& log_dir,
                                    const std::string& topic) {
  std::optional<std::vector<DigestColumn>> columns = DigestColumns(query_name);
  if (!columns) return Status::Internal("no digest defined for query " + query_name);
  RowDigest digest;
  // q4: the last row of each category (its key column, the first digested).
  const bool final_rows = query_name == "q4";
  std::map<int64_t, uint64_t> final_row_hashes;
  od::parser parser;
  std::vector<int64_t> values;
  RETURN_NOT_OK(VisitTopic(log_dir, topic, [&](const LogRecordView& record) -> Status {
    ++digest.rows;
    if (!record.value) {
      if (!final_rows) return Status::Execution("tombstone in " + topic);
      int64_t key = 0;
      std::string_view text = record.key.value_or("");
      if (!text.empty() && text.front() == '{') {
        size_t colon = text.find(':');
        text = colon == std::string_view::npos ? "" : text.substr(colon + 1);
        while (!text.empty() && (text.back() == '}' || text.back() == ' ')) text.remove_suffix(1);
      }
      std::from_chars(text.data(), text.data() + text.size(), key);
      final_row_hashes.erase(key);
      return Status::OK();
    }
    RETURN_NOT_OK(ReadColumns(parser, record, topic, *columns, values));
    if (final_rows) {
      final_row_hashes[values.front()] = HashRow(values);
    } else {
      digest.checksum += HashRow(values);
    }
    return Status::OK();
  }));
  for (const auto& [key, hash] : final_row_hashes) digest.checksum += hash;
  return digest;
}

Result<RowDigest> DigestChangelogFinalState(const std::string& query_name,
                                            const std::string& log_dir, const std::string& topic,
                                            int64_t* records) {
  std::optional<std::vector<DigestColumn>> columns = ChangelogDigestColumns(query_name);
  if (!columns) return Status::Internal("no changelog digest defined for query " + query_name);
  *records = 0;
  std::unordered_map<std::string, std::vector<int64_t>> rows;  // by record key
  od::parser parser;
  RETURN_NOT_OK(VisitTopic(log_dir, topic, [&](const LogRecordView& record) -> Status {
    ++*records;
    if (!record.key) return Status::Execution("a record without a key in " + topic);
    const std::string key(*record.key);
    if (!record.value) {
      rows.erase(key);
      return Status::OK();
    }
    return ReadColumns(parser, record, topic, *columns, rows[key]);
  }));
  RowDigest digest;
  for (const auto& [key, values] : rows) {
    ++digest.rows;
    digest.checksum += HashRow(values);
  }
  return digest;
}

}  // namespace sluice::bench
