#include "catalog/catalog_internal.h"

#include "catalog/name_suggestion.h"
#include "catalog/objects.h"

namespace sluice::catalog_internal {

std::string OwnerOrDefault(const std::string& owner) {
  return owner.empty() ? std::string(kDefaultOwner) : owner;
}

std::string JoinLimited(const std::vector<std::string>& items, size_t limit) {
  std::string joined;
  for (size_t item_idx = 0; item_idx < items.size() && item_idx < limit; ++item_idx) {
    if (item_idx > 0) joined += ", ";
    joined += items[item_idx];
  }
  if (items.size() > limit) joined += " and " + std::to_string(items.size() - limit) + " more";
  return joined;
}

Status NotFound(std::string_view what, const std::string& name,
                const std::vector<std::string>& candidates, std::string_view where) {
  std::string message =
      std::string(what) + " " + Quote(name) + " does not exist" + std::string(where);
  if (auto closest = ClosestName(name, candidates))
    message += " (did you mean " + Quote(*closest) + "?)";
  return Status::Catalog(message);
}

}  // namespace sluice::catalog_internal
