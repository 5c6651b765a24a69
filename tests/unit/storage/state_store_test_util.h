#pragma once
// Shared helpers for the state store tests: opening a store, its tables and reading a key with
// every failure reported as a test failure.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/state/state_store.h"

namespace sluice::testing {

inline std::unique_ptr<StateStore> OpenStore(const std::string& dir) {
  auto store = StateStore::Open(dir, StateStoreOptions());
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

inline StateTable* TableOf(StateStore& store, std::string_view name) {
  auto table = store.Table(name);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return table.ok() ? *table : nullptr;
}

inline std::optional<std::string> GetValue(StateTable& table, std::string_view key) {
  std::string value;
  auto found = table.Get(key, &value);
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  if (!found.ok() || !*found) return std::nullopt;
  return value;
}

// Checkpoint `id`, having read source "in" up to offset `id`.
inline CheckpointManifest PositionManifest(int64_t id) {
  CheckpointManifest manifest;
  manifest.checkpoint_id = id;
  manifest.source_positions["in"] = {id};
  return manifest;
}

}  // namespace sluice::testing
