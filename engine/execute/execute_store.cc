// CREATE STORE: validates a Kafka store's settings and seals its credentials. Secret values go
// into the store's encrypted blob (SecretBox, AES-256-GCM); the plain properties keep only a
// "********" placeholder under the same key, which is what SHOW/DESCRIBE print.

#include "catalog/object_codec.h"
#include "common/ascii.h"
#include "engine/execute/statement_executor.h"
#include "engine/execute/store_properties.h"
#include "planner/binder/relation_schema.h"
#include "runtime/connector/kafka/kafka_client.h"

namespace sluice {

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
      type = AsciiLower(property.value);
      type_property = &property;
      continue;
    }
    RETURN_NOT_OK(CheckStoreProperty(property, properties, secrets));
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
  RETURN_NOT_OK(CheckStoreCredentials(properties, secrets, statement.position));

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
                                          int64_t position, bool check_only) {
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
    if (check_only) return Status::OK();  // EXPLAIN: the topic would be created as declared
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
  auto key_format = target.relation.properties.find("key.format");
  if (key_format != target.relation.properties.end()) {
    if (key_format->second == "primitive" && spec.key_columns.size() > 1) {
      return Status::Binder("'key.format'='primitive' takes one key column; " +
                            target.qualified_name + " is keyed by " +
                            std::to_string(spec.key_columns.size()) + " (use 'json')");
    }
    spec.properties["key.format"] = key_format->second;
  }
  // Secrets stay "********" here: plans are stored, and credentials reach workers separately.
  spec.properties.insert(target.store.properties.begin(), target.store.properties.end());
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
