// CREATE STORE: validates a Kafka store's settings and seals its credentials. Secret values go
// into the store's encrypted blob (SecretBox, AES-256-GCM); the plain properties keep only a
// "********" placeholder under the same key, which is what SHOW/DESCRIBE print.

#include <algorithm>
#include <cctype>

#include "catalog/object_codec.h"
#include "engine/execute/statement_executor.h"
#include "planner/binder/relation_schema.h"
#include "runtime/connector/kafka/kafka_client.h"

namespace sluice {

namespace {

constexpr std::string_view kRedacted = "********";

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

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

Status StatementExecutor::CreateStore(const CreateStoreStatement& statement) {
  std::lock_guard<std::mutex> lock(engine_.catalog_mutex());
  RETURN_NOT_OK(RequireStatement(rbac::StatementKind::kCreateStore, {}, statement.name.name,
                                 statement.position));
  PropertyMap properties;
  PropertyMap secrets;
  std::string type;
  const Property* type_property = nullptr;
  for (const Property& property : statement.properties) {
    const std::string& key = property.key;
    if (properties.count(key) || secrets.count(key) || (key == "type" && type_property)) {
      return Status::Binder("property '" + key + "' is given twice", property.key_position);
    }
    if (key == "type") {
      type = Lower(property.value);
      type_property = &property;
      continue;
    }
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
      continue;
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
  }

  if (!type_property) {
    return Status::Binder("CREATE STORE needs WITH ('type'='kafka', 'uris'='host:port', ...)",
                          statement.position);
  }
  if (type != "kafka") {
    return Status::Binder(
        "only 'kafka' stores can be created; 'local' and 'datagen' are "
        "built in",
        type_property->value_position);
  }
  if (!properties.count("uris")) {
    return Status::Binder("a kafka store needs 'uris'='host:port[,host:port...]'",
                          statement.position);
  }
  auto hash = properties.find("kafka.sasl.hash_function");
  if (hash != properties.end() && hash->second != "NONE" &&
      (!properties.count("kafka.sasl.username") || !secrets.count("kafka.sasl.password"))) {
    return Status::Binder("'kafka.sasl.hash_function'='" + hash->second +
                              "' needs 'kafka.sasl.username' and 'kafka.sasl.password'",
                          statement.position);
  }

  const std::string& name = statement.name.name;
  ASSIGN_OR_RETURN(std::optional<StoreInfo> existing, engine_.catalog().FindStore(name));
  if (existing) {
    return Status::Catalog("store \"" + name + "\" already exists", statement.name.position);
  }
  StoreInfo store;
  store.name = name;
  store.type = type;
  store.properties = std::move(properties);
  store.owner = session_.role();
  if (!secrets.empty()) {
    ASSIGN_OR_RETURN(const SecretBox* box, engine_.secret_box());
    // The store name is authenticated data: a blob copied onto another store does not open.
    ASSIGN_OR_RETURN(store.secret_properties,
                     box->Seal(EncodeProperties(secrets), "store:" + name));
  }
  RETURN_NOT_OK(engine_.catalog().CreateStore(store).status().WithPosition(statement.position));
  handler_.OnCommandComplete("CREATE STORE");
  return Status::OK();
}

Status StatementExecutor::CheckKafkaTopic(const StoreInfo& store, const PropertyList& declared,
                                          std::map<std::string, std::string>& properties,
                                          int64_t position) {
  ASSIGN_OR_RETURN(PropertyMap settings, engine_.StoreClientSettings(store));
  const std::string& topic = properties["topic"];
  const Property* declared_partitions = nullptr;
  for (const Property& property : declared) {
    if (property.key == "partitions") declared_partitions = &property;
  }
  Result<std::vector<KafkaTopicInfo>> topics = FetchKafkaTopics(settings);
  if (!topics.ok()) return topics.status().WithPosition(position);
  int32_t partitions = 0;
  for (const KafkaTopicInfo& entry : *topics) {
    if (entry.name == topic && entry.error == RD_KAFKA_RESP_ERR_NO_ERROR) {
      partitions = entry.partitions;
    }
  }
  if (partitions <= 0 && declared_partitions == nullptr) {
    return Status::Connector("topic '" + topic + "' does not exist in Kafka " +
                             KafkaStoreLabel(settings) +
                             "; declare 'partitions' (and 'replicas', default 1) to create it")
        .WithPosition(position);
  }
  if (partitions <= 0) {
    // Created only when asked for by a declared partition count, as ksqlDB does: a typo in
    // 'topic' must not silently make a new empty topic.
    partitions = std::stoi(properties["partitions"]);
    const int32_t replicas = properties.count("replicas") ? std::stoi(properties["replicas"]) : 1;
    RETURN_NOT_OK(CreateKafkaTopic(settings, topic, partitions, replicas).WithPosition(position));
    Result<int32_t> created = FetchKafkaTopicPartitions(settings, topic);
    if (!created.ok()) return created.status().WithPosition(position);
    partitions = *created;
  }
  if (declared_partitions != nullptr && std::to_string(partitions) != declared_partitions->value) {
    return Status::Binder(
        "topic '" + topic + "' in store \"" + store.name + "\" has " + std::to_string(partitions) +
            " partitions, not " + declared_partitions->value +
            "; drop the 'partitions' property or set it to " + std::to_string(partitions),
        declared_partitions->value_position);
  }
  properties["partitions"] = std::to_string(partitions);
  return Status::OK();
}

Result<SinkSpec> StatementExecutor::KafkaSinkSpec(const BoundRelation& target,
                                                  const Schema& schema) {
  SinkSpec spec;
  spec.kind = SinkKind::kKafka;
  spec.relation = target.qualified_name;
  spec.topic = RelationTopic(target.relation);
  spec.partitions = RelationPartitions(target.relation);
  spec.schema = schema;
  ASSIGN_OR_RETURN(spec.key_columns, RelationKeyColumns(target.relation, schema));
  // Secrets stay "********" here: plans are stored, and credentials reach workers separately.
  spec.properties = target.store.properties;
  spec.properties["store"] = target.store.name;
  return spec;
}

Result<std::vector<int64_t>> StatementExecutor::RelationEndOffsets(const RelationInfo& relation) {
  ASSIGN_OR_RETURN(StoreInfo store, engine_.catalog().GetStoreById(relation.store_id));
  if (store.type != "kafka") return engine_.log().EndOffsets(RelationTopic(relation));
  ASSIGN_OR_RETURN(PropertyMap settings, engine_.StoreClientSettings(store));
  return FetchKafkaEndOffsets(settings, RelationTopic(relation));
}

}  // namespace sluice
