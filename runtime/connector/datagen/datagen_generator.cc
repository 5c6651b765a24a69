#include "runtime/connector/datagen/datagen_generator.h"

#include "runtime/connector/datagen/nexmark_columns.h"
#include "runtime/connector/datagen/random_columns.h"

namespace sluice {

Status CheckDatagenColumns(const DatagenOptions& options, const Schema& schema) {
  if (schema.size() == 0) {
    return Status::Binder("a datagen relation needs at least one column");
  }
  if (options.generator == DatagenGeneratorKind::kRandom) {
    return CheckRandomColumns(options, schema);
  }
  return CheckNexmarkColumns(options, schema);
}

Result<std::unique_ptr<DatagenGenerator>> MakeDatagenGenerator(const DatagenOptions& options,
                                                               const Schema& schema,
                                                               int timestamp_column) {
  RETURN_NOT_OK(CheckDatagenColumns(options, schema));
  if (options.generator == DatagenGeneratorKind::kRandom) {
    return MakeRandomGenerator(options, schema, timestamp_column);
  }
  return MakeNexmarkGenerator(options, schema);
}

}  // namespace sluice
