#include "engine/governance/access_control_cache.h"

#include "engine/governance/load_access_control.h"

namespace sluice {

Result<std::shared_ptr<const rbac::AccessControl>> AccessControlCache::Current(Catalog& catalog) {
  const int64_t changes = catalog.change_count();
  if (model_ != nullptr && changes == change_count_) return model_;
  ASSIGN_OR_RETURN(std::unique_ptr<rbac::AccessControl> loaded, LoadAccessControl(catalog));
  model_ = std::move(loaded);
  // Loading only reads; the count is taken before, so a change racing it (impossible under the
  // catalog mutex, but cheap to be safe about) leaves the cache stale-marked.
  change_count_ = changes;
  return model_;
}

}  // namespace sluice
