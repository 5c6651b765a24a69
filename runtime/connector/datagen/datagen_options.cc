#include "runtime/connector/datagen/datagen_options.h"

#include <charconv>
#include <utility>

namespace sluice {

namespace {

struct GeneratorName {
  std::string_view name;
  DatagenGeneratorKind kind;
};

constexpr GeneratorName kGenerators[] = {
    {"random", DatagenGeneratorKind::kRandom},
    {"nexmark.event", DatagenGeneratorKind::kNexmarkEvent},
    {"nexmark.person", DatagenGeneratorKind::kNexmarkPerson},
    {"nexmark.auction", DatagenGeneratorKind::kNexmarkAuction},
    {"nexmark.bid", DatagenGeneratorKind::kNexmarkBid},
};

constexpr std::string_view kFieldsPrefix = "fields.";

Result<int64_t> ParseWholeNumber(std::string_view key, std::string_view text, int64_t min,
                                 int64_t max, std::string_view what) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end || value < min || value > max) {
    return Status::Binder("datagen property '" + std::string(key) + "' must be " +
                          std::string(what) + ", got '" + std::string(text) + "'");
  }
  return value;
}

Status ParseFieldOption(std::string_view key, const std::string& value, DatagenOptions& options) {
  // fields.<column>.<option>; the column name may itself contain dots, the option may too
  // ("null.rate"), so match the known option suffixes.
  std::string_view rest = key.substr(kFieldsPrefix.size());
  for (std::string_view option : {".null.rate", ".length", ".min", ".max"}) {
    if (rest.size() > option.size() && rest.substr(rest.size() - option.size()) == option) {
      std::string column(rest.substr(0, rest.size() - option.size()));
      options.field_options[column][std::string(option.substr(1))] = value;
      return Status::OK();
    }
  }
  return Status::Binder("unknown datagen property '" + std::string(key) +
                        "'; per-column options are 'fields.<column>.min', '.max', '.length' "
                        "and '.null.rate'");
}

}  // namespace

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

bool IsDatagenPropertyKey(std::string_view key) {
  std::string lower = AsciiLower(key);
  return lower == "generator" || lower == "events" || lower == "rate" || lower == "seed" ||
         lower == "rate.limit" || lower.rfind(kFieldsPrefix, 0) == 0;
}

Result<DatagenOptions> ParseDatagenOptions(const std::map<std::string, std::string>& properties) {
  DatagenOptions options;
  for (const auto& [raw_key, value] : properties) {
    std::string key = AsciiLower(raw_key);
    if (key == "generator") {
      std::string name = AsciiLower(value);
      bool found = false;
      for (const GeneratorName& generator : kGenerators) {
        if (generator.name == name) {
          options.generator = generator.kind;
          options.generator_name = name;
          found = true;
        }
      }
      if (!found) {
        std::string message = "unknown datagen generator '" + value + "'; known generators:";
        for (size_t idx = 0; idx < std::size(kGenerators); ++idx) {
          message += (idx == 0 ? " '" : ", '") + std::string(kGenerators[idx].name) + "'";
        }
        return Status::Binder(message);
      }
    } else if (key == "events") {
      ASSIGN_OR_RETURN(options.events,
                       ParseWholeNumber(key, value, 1, INT64_C(1) << 50,
                                        "a whole number greater than 0 (omit it for an "
                                        "unbounded stream)"));
    } else if (key == "rate") {
      ASSIGN_OR_RETURN(options.rate, ParseWholeNumber(key, value, 1, INT64_C(1'000'000'000'000),
                                                      "a whole number of events per second "
                                                      "greater than 0"));
    } else if (key == "seed") {
      int64_t seed = 0;
      const char* end = value.data() + value.size();
      auto [ptr, error] = std::from_chars(value.data(), end, seed);
      if (error != std::errc() || ptr != end) {
        uint64_t unsigned_seed = 0;
        auto [uptr, uerror] = std::from_chars(value.data(), end, unsigned_seed);
        if (uerror != std::errc() || uptr != end) {
          return Status::Binder("datagen property 'seed' must be a 64-bit integer, got '" + value +
                                "'");
        }
        options.seed = unsigned_seed;
      } else {
        options.seed = static_cast<uint64_t>(seed);
      }
    } else if (key == "partitions") {
      ASSIGN_OR_RETURN(int64_t partitions,
                       ParseWholeNumber(key, value, 1, 1024, "a whole number from 1 to 1024"));
      options.partitions = static_cast<int32_t>(partitions);
    } else if (key == "rate.limit") {
      std::string flag = AsciiLower(value);
      if (flag != "true" && flag != "false") {
        return Status::Binder("datagen property 'rate.limit' must be 'true' or 'false', got '" +
                              value + "'");
      }
      options.rate_limit = flag == "true";
    } else if (key.rfind(kFieldsPrefix, 0) == 0) {
      RETURN_NOT_OK(ParseFieldOption(key, value, options));
    }
  }
  if (!options.field_options.empty() && options.generator != DatagenGeneratorKind::kRandom) {
    return Status::Binder("'fields.*' datagen properties apply to generator 'random' only, not '" +
                          options.generator_name + "'");
  }
  return options;
}

}  // namespace sluice
