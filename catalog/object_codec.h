#pragma once
// How the catalog stores composite fields in single TEXT columns: as JSON. Column types are kept in
// their DataType::ToString spelling, so nested types round-trip through ParseTypeString. Decoding
// fails with a CATALOG error naming the damaged field rather than guessing.

#include <string>
#include <string_view>
#include <vector>

#include "catalog/objects.h"
#include "common/status.h"
#include "common/types.h"

namespace sluice {

// [{"name":"viewtime","type":"BIGINT"}, ...]
std::string EncodeColumns(const std::vector<Field>& columns);
Result<std::vector<Field>> DecodeColumns(std::string_view json);

// ["userid", ...]
std::string EncodeStrings(const std::vector<std::string>& strings);
Result<std::vector<std::string>> DecodeStrings(std::string_view json);

// {"key":"value", ...}
std::string EncodeProperties(const PropertyMap& properties);
Result<PropertyMap> DecodeProperties(std::string_view json);

}  // namespace sluice
