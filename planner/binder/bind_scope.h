#pragma once
// The names an expression can see while it is bound: the relations of the FROM clause, each with
// its columns, and where each column sits in the batches the pipeline produces. Binding runs in
// two passes over the same scope: the first marks the columns a query uses (so sources decode only
// those), the second binds expressions against the pruned batch layout.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "runtime/plan/row_metadata.h"

namespace sluice {

struct ScopeRelation {
  std::string alias;             // the FROM alias, or the relation's own name
  std::string qualified_name;    // db.schema.name, for messages
  Schema schema;                 // every column of the relation
  std::vector<bool> used;        // pass 1: columns referenced
  std::vector<int> batch_index;  // pass 2: column -> batch column, -1 when not loaded
  // Row functions (ROWTIME() ...) called on this relation: hidden columns after its own.
  std::array<bool, kRowMetadataCount> metadata_used{};
  std::array<int, kRowMetadataCount> metadata_batch_index{-1, -1, -1};
  int64_t metadata_position = -1;  // the first row function call, for errors
};

// A column reference resolved against the scope: the column plus any struct-field suffix
// (`t.address.city` -> column address, fields {city}).
struct ResolvedColumn {
  size_t relation_idx = 0;
  size_t column_idx = 0;
  std::vector<std::string> fields;
};

class BindScope {
 public:
  void AddRelation(std::string alias, std::string qualified_name, Schema schema);
  std::vector<ScopeRelation>& relations() { return relations_; }
  const std::vector<ScopeRelation>& relations() const { return relations_; }

  // Resolves `a`, `t.a`, `s.t.a`, `db.s.t.a`, `a.f1.f2`, `t.a.f1`. Errors (with `position`):
  // unknown column (with a did-you-mean hint), ambiguous column, unknown relation alias.
  Result<ResolvedColumn> Resolve(const std::vector<std::string>& parts, int64_t position) const;

  void MarkUsed(const ResolvedColumn& column) {
    relations_[column.relation_idx].used[column.column_idx] = true;
  }
  void MarkAllUsed(size_t relation_idx);
  // Lays out the batch: per relation, the used columns in declaration order. Returns the relation
  // column indexes for relation `relation_idx` (what its source must decode).
  void AssignBatchLayout();
  std::vector<int> LoadedColumns(size_t relation_idx) const;
  // The row functions relation `relation_idx`'s source must fill, in batch order.
  std::vector<RowMetadata> LoadedMetadata(size_t relation_idx) const;
  // The batch schema after AssignBatchLayout.
  Schema BatchSchema() const;
  int BatchIndex(const ResolvedColumn& column) const {
    return relations_[column.relation_idx].batch_index[column.column_idx];
  }

 private:
  std::vector<ScopeRelation> relations_;
};

}  // namespace sluice
