// See store_properties.h.

#include "engine/execute/store_properties.h"

#include <algorithm>
#include <cctype>

namespace sluice {

namespace {

// Credentials among the settings: the SASL password and any pass-through librdkafka property
// whose name says it holds a secret (ssl.key.password, sasl.oauthbearer.client.secret, ...).
bool IsSecretKey(const std::string& key) {
  return key.find("password") != std::string::npos || key.find("secret") != std::string::npos;
}

// 'uris' = host:port[,host:port...]
Status CheckUris(const Property& property) {
  if (property.value.empty()) {
    return Status::Binder("'uris' needs at least one host:port", property.value_position);
  }
  size_t start = 0;
  while (start <= property.value.size()) {
    size_t end = property.value.find(',', start);
    if (end == std::string::npos) end = property.value.size();
    std::string uri = property.value.substr(start, end - start);
    size_t colon = uri.rfind(':');
    const bool port_ok = colon != std::string::npos && colon > 0 && colon + 1 < uri.size() &&
                         uri.size() - colon - 1 <= 5 &&
                         std::all_of(uri.begin() + colon + 1, uri.end(),
                                     [](unsigned char c) { return std::isdigit(c); }) &&
                         std::stoi(uri.substr(colon + 1)) <= 65535;
    if (!port_ok) {
      return Status::Binder("'uris' entry '" + uri + "' is not host:port (e.g. 'broker1:9092')",
                            property.value_position);
    }
    start = end + 1;
  }
  return Status::OK();
}

Status CheckBoolean(const Property& property) {
  if (property.value == "true" || property.value == "false") return Status::OK();
  return Status::Binder("'" + property.key + "' must be true or false", property.value_position);
}

}  // namespace

Status CheckStoreProperty(const Property& property, PropertyMap& properties, PropertyMap& secrets) {
  const std::string& key = property.key;
  if (key == "uris") {
    RETURN_NOT_OK(CheckUris(property));
  } else if (key == "kafka.sasl.hash_function") {
    std::string hash = property.value;
    std::transform(hash.begin(), hash.end(), hash.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (hash != "NONE" && hash != "PLAIN" && hash != "SHA256" && hash != "SHA512") {
      return Status::Binder("'kafka.sasl.hash_function' must be NONE, PLAIN, SHA256 or SHA512",
                            property.value_position);
    }
    properties[key] = hash;
    return Status::OK();
  } else if (key == "tls.disabled" || key == "tls.verify_server_hostname") {
    RETURN_NOT_OK(CheckBoolean(property));
  } else if (key == "unavailable.timeout.ms") {
    const bool digits = !property.value.empty() && property.value.size() <= 9 &&
                        std::all_of(property.value.begin(), property.value.end(),
                                    [](unsigned char c) { return std::isdigit(c); });
    if (!digits || std::stoi(property.value) < 1000) {
      return Status::Binder(
          "'unavailable.timeout.ms' must be a number of milliseconds, at "
          "least 1000",
          property.value_position);
    }
  } else if (key == "tls.ca.file" || key == "kafka.sasl.username") {
    // Free-form values.
  } else if (key.rfind("kafka.", 0) == 0 && key.size() > 6) {
    // Pass-through librdkafka property; librdkafka itself checks it when a query connects.
  } else {
    return Status::Binder("unknown store property '" + key +
                              "' (expected type, uris, kafka.sasl.hash_function, "
                              "kafka.sasl.username, kafka.sasl.password, tls.disabled, "
                              "tls.ca.file, tls.verify_server_hostname, unavailable.timeout.ms "
                              "or kafka.<librdkafka property>)",
                          property.key_position);
  }
  if (IsSecretKey(key)) {
    secrets[key] = property.value;
    properties[key] = std::string(kRedacted);
  } else {
    properties[key] = property.value;
  }
  return Status::OK();
}

Status CheckStoreCredentials(const PropertyMap& properties, const PropertyMap& secrets,
                             int64_t position) {
  auto hash = properties.find("kafka.sasl.hash_function");
  if (hash != properties.end() && hash->second != "NONE" &&
      (!properties.count("kafka.sasl.username") || !secrets.count("kafka.sasl.password"))) {
    return Status::Binder("'kafka.sasl.hash_function'='" + hash->second +
                              "' needs 'kafka.sasl.username' and 'kafka.sasl.password'",
                          position);
  }
  return Status::OK();
}

}  // namespace sluice
