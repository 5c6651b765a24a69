#pragma once
// The settings of a Kafka store, checked the same way by CREATE STORE and ALTER STORE. Secret
// values (the SASL password, any pass-through property named *password* or *secret*) are kept
// apart, to be sealed in the store's encrypted blob; the plain properties keep a "********"
// placeholder under the same key.

#include <cstdint>
#include <string>

#include "catalog/objects.h"
#include "common/status.h"
#include "parser/ast.h"

namespace sluice {

inline constexpr std::string_view kRedacted = "********";

// Checks one property (not 'type') and files it into `properties` or `secrets`.
Status CheckStoreProperty(const Property& property, PropertyMap& properties, PropertyMap& secrets);
// The checks across properties: SASL with a hash function needs a username and a password.
Status CheckStoreCredentials(const PropertyMap& properties, const PropertyMap& secrets,
                             int64_t position);

}  // namespace sluice
