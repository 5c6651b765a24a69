#include "planner/binder/bind_scope.h"

#include "catalog/name_suggestion.h"

namespace sluice {

namespace {

std::vector<std::string> SplitQualified(const std::string& name) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

}  // namespace

void BindScope::AddRelation(std::string alias, std::string qualified_name, Schema schema) {
  ScopeRelation relation;
  relation.alias = std::move(alias);
  relation.qualified_name = std::move(qualified_name);
  relation.used.assign(schema.size(), false);
  relation.batch_index.assign(schema.size(), -1);
  relation.schema = std::move(schema);
  relations_.push_back(std::move(relation));
}

Result<ResolvedColumn> BindScope::Resolve(const std::vector<std::string>& parts,
                                          int64_t position) const {
  std::vector<ResolvedColumn> matches;
  for (size_t relation_idx = 0; relation_idx < relations_.size(); ++relation_idx) {
    const ScopeRelation& relation = relations_[relation_idx];
    // How many leading parts name this relation: 0 (bare column), 1 (alias), or a suffix of its
    // qualified name (schema.rel, db.schema.rel).
    std::vector<size_t> prefix_lengths = {0};
    if (parts.size() >= 2 && parts[0] == relation.alias) prefix_lengths.push_back(1);
    std::vector<std::string> qualified = SplitQualified(relation.qualified_name);
    for (size_t k = 2; k <= qualified.size() && k < parts.size(); ++k) {
      bool equal = true;
      for (size_t part_idx = 0; part_idx < k; ++part_idx) {
        equal = equal && parts[part_idx] == qualified[qualified.size() - k + part_idx];
      }
      if (equal) prefix_lengths.push_back(k);
    }
    // The longest qualifier wins for one relation: `t.a` with alias t means column a of t, even
    // if t also has a struct column named t.
    for (auto it = prefix_lengths.rbegin(); it != prefix_lengths.rend(); ++it) {
      size_t k = *it;
      int column_idx = relation.schema.IndexOf(parts[k]);
      if (column_idx < 0) continue;
      ResolvedColumn column;
      column.relation_idx = relation_idx;
      column.column_idx = static_cast<size_t>(column_idx);
      column.fields.assign(parts.begin() + static_cast<long>(k) + 1, parts.end());
      matches.push_back(std::move(column));
      break;
    }
  }
  std::string written;
  for (const auto& part : parts) written += (written.empty() ? "" : ".") + part;
  if (matches.size() == 1) return matches[0];
  if (matches.size() > 1) {
    return Status::Binder("column reference \"" + written + "\" is ambiguous; qualify it with " +
                              "a relation name or alias",
                          position);
  }
  // Not found: suggest the closest column name of any relation in scope.
  std::vector<std::string> candidates;
  for (const auto& relation : relations_) {
    for (const auto& field : relation.schema.fields()) candidates.push_back(field.name);
  }
  std::string message = "column \"" + written + "\" does not exist";
  if (auto hint = ClosestName(parts.back(), candidates)) {
    message += " (did you mean \"" + *hint + "\"?)";
  } else if (parts.size() == 1 && !candidates.empty()) {
    message += "; available columns:";
    for (size_t i = 0; i < candidates.size() && i < 12; ++i) {
      message += (i == 0 ? " " : ", ") + candidates[i];
    }
  }
  return Status::Binder(message, position);
}

void BindScope::MarkAllUsed(size_t relation_idx) {
  auto& used = relations_[relation_idx].used;
  std::fill(used.begin(), used.end(), true);
}

void BindScope::AssignBatchLayout() {
  int next = 0;
  for (auto& relation : relations_) {
    for (size_t column_idx = 0; column_idx < relation.schema.size(); ++column_idx) {
      relation.batch_index[column_idx] = relation.used[column_idx] ? next++ : -1;
    }
    for (size_t kind = 0; kind < kRowMetadataCount; ++kind) {
      relation.metadata_batch_index[kind] = relation.metadata_used[kind] ? next++ : -1;
    }
  }
}

std::vector<RowMetadata> BindScope::LoadedMetadata(size_t relation_idx) const {
  std::vector<RowMetadata> metadata;
  const auto& relation = relations_[relation_idx];
  for (size_t kind = 0; kind < kRowMetadataCount; ++kind) {
    if (relation.metadata_used[kind]) metadata.push_back(static_cast<RowMetadata>(kind));
  }
  return metadata;
}

std::vector<int> BindScope::LoadedColumns(size_t relation_idx) const {
  std::vector<int> columns;
  const auto& relation = relations_[relation_idx];
  for (size_t column_idx = 0; column_idx < relation.schema.size(); ++column_idx) {
    if (relation.used[column_idx]) columns.push_back(static_cast<int>(column_idx));
  }
  return columns;
}

Schema BindScope::BatchSchema() const {
  Schema schema;
  for (const auto& relation : relations_) {
    for (size_t column_idx = 0; column_idx < relation.schema.size(); ++column_idx) {
      if (relation.used[column_idx]) schema.Add(relation.schema.field(column_idx));
    }
    for (size_t kind = 0; kind < kRowMetadataCount; ++kind) {
      if (!relation.metadata_used[kind]) continue;
      auto metadata = static_cast<RowMetadata>(kind);
      schema.Add(Field{RowMetadataName(metadata), RowMetadataType(metadata)});
    }
  }
  return schema;
}

}  // namespace sluice
