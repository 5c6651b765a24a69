#pragma once
// The rbac model of the catalog's current contents, shared read-only between statements and
// rebuilt only after the catalog changed (Catalog::change_count grows with every row written and
// every rollback): a statement that only checks rights, such as a point read of a view, reads no
// governance tables, and a GRANT, REVOKE or DROP is seen by the very next check.

#include <cstdint>
#include <memory>

#include "catalog/catalog.h"
#include "rbac/access_control.h"

namespace sluice {

class AccessControlCache {
 public:
  // REQUIRES: the catalog mutex is held (the same one that serializes catalog changes).
  Result<std::shared_ptr<const rbac::AccessControl>> Current(Catalog& catalog);

 private:
  int64_t change_count_ = -1;
  std::shared_ptr<const rbac::AccessControl> model_;
};

}  // namespace sluice
