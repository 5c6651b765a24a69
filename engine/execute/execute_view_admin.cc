// Materialized views in DESCRIBE and DROP: what DESCRIBE MATERIALIZED VIEW adds to a relation's
// properties (key, maintaining query, approximate rows, how reads were served) and deleting a
// dropped view's store.

#include <filesystem>

#include "engine/execute/statement_executor.h"
#include "engine/execute/view_reads.h"
#include "runtime/worker/sandbox.h"
#include "storage/view/view_store.h"

namespace sluice {

Status StatementExecutor::DescribeView(const RelationInfo& view,
                                       const std::function<void(std::string, std::string)>& add) {
  std::string key;
  for (const std::string& column : view.primary_key) key += (key.empty() ? "" : ", ") + column;
  add("view key", key.empty() ? "(source partition, offset): an append-only view" : key);
  ASSIGN_OR_RETURN(ViewMaintainer maintainer, FindViewMaintainer(engine_.catalog(), view));
  add("maintaining query", std::to_string(maintainer.query_id));
  add("query state", std::string(QueryStateName(maintainer.state)));
  const std::string dir = ViewStoreDir(WorkerStateDir(engine_.data_dir(), maintainer.query_id));
  std::error_code error;
  if (!std::filesystem::exists(dir + "/CURRENT", error)) {
    add("rows (approx)", "0 (the query has not written the view yet)");
    return Status::OK();
  }
  ASSIGN_OR_RETURN(
      std::shared_ptr<ViewStoreReader> reader,
      SharedViewStoreReader(dir, ViewSecondaryDir(engine_.data_dir(), maintainer.query_id)));
  ASSIGN_OR_RETURN(int64_t rows, reader->ApproximateRows());
  add("rows (approx)", std::to_string(rows));
  // Reads made by this engine process: a point read is a Get of one key, a scan reads all rows.
  add("point reads", std::to_string(reader->point_reads()));
  add("scans", std::to_string(reader->scans()));
  return Status::OK();
}

Status StatementExecutor::RefuseInsertIntoView(const BoundRelation& target, int64_t position) {
  if (target.relation.kind != CatalogRelationKind::kMaterializedView) return Status::OK();
  return Status::Binder("cannot INSERT INTO materialized view \"" + target.qualified_name +
                            "\": its query maintains it (insert into its sources instead)",
                        position);
}

Status StatementExecutor::DropViewStore(int64_t query_id) {
  const std::string dir = ViewStoreDir(WorkerStateDir(engine_.data_dir(), query_id));
  ForgetViewStoreReader(dir);
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  if (error) return Status::Storage("cannot delete view store " + dir + ": " + error.message());
  std::filesystem::remove_all(ViewSecondaryDir(engine_.data_dir(), query_id), error);
  return Status::OK();
}

}  // namespace sluice
