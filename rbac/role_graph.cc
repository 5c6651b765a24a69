#include "rbac/role_graph.h"

#include <deque>

namespace sluice::rbac {

namespace {

std::string Quote(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

RoleGraph RoleGraph::WithBuiltins() {
  RoleGraph graph;
  for (const char* role : {kOrgAdmin, kSysAdmin, kSecurityAdmin, kUserAdmin, kPublic}) {
    graph.roles_.insert(role);
  }
  graph.granted_[kOrgAdmin] = {kSysAdmin, kSecurityAdmin};
  graph.granted_[kSecurityAdmin] = {kUserAdmin};
  return graph;
}

bool RoleGraph::IsBuiltin(const std::string& role) {
  return role == kOrgAdmin || role == kSysAdmin || role == kSecurityAdmin || role == kUserAdmin ||
         role == kPublic;
}

Status RoleGraph::CreateRole(const std::string& role) {
  if (!roles_.insert(role).second)
    return Status::Catalog("role " + Quote(role) + " already exists");
  return Status::OK();
}

Status RoleGraph::DropRole(const std::string& role) {
  if (IsBuiltin(role)) return Status::Catalog("cannot drop built-in role " + Quote(role));
  if (roles_.erase(role) == 0) return Status::Catalog("role " + Quote(role) + " does not exist");
  granted_.erase(role);
  for (auto& [member, held] : granted_) held.erase(role);
  return Status::OK();
}

Status RoleGraph::Grant(const std::string& role, const std::string& member) {
  for (const std::string& name : {role, member}) {
    if (!HasRole(name)) return Status::Catalog("role " + Quote(name) + " does not exist");
  }
  if (role == kPublic) return Status::Catalog("every role already holds PUBLIC");
  // member would hold role; a cycle exists when role already holds member (or is member).
  // `member` would hold `role`; that closes a cycle when `role` already holds `member`.
  std::vector<std::string> back = PathTo(role, member);
  if (!back.empty()) {
    std::string path = member;
    for (const std::string& step : back) path += " -> " + step;
    return Status::Catalog("granting role " + Quote(role) + " to " + Quote(member) +
                           " would create a cycle: " + path);
  }
  granted_[member].insert(role);
  return Status::OK();
}

Status RoleGraph::Revoke(const std::string& role, const std::string& member) {
  auto it = granted_.find(member);
  if (it == granted_.end() || it->second.erase(role) == 0) {
    return Status::Catalog("role " + Quote(member) + " was not granted role " + Quote(role));
  }
  return Status::OK();
}

std::set<std::string> RoleGraph::EffectiveRoles(const std::string& role) const {
  std::set<std::string> seen = {role, kPublic};
  std::deque<std::string> pending = {role};
  while (!pending.empty()) {
    std::string current = pending.front();
    pending.pop_front();
    auto it = granted_.find(current);
    if (it == granted_.end()) continue;
    for (const std::string& held : it->second) {
      if (seen.insert(held).second) pending.push_back(held);
    }
  }
  return seen;
}

std::vector<std::string> RoleGraph::PathTo(const std::string& role, const std::string& held) const {
  if (role == held) return {role};
  // Breadth-first, so the explanation is the shortest chain.
  std::map<std::string, std::string> parent;
  std::deque<std::string> pending = {role};
  parent[role] = "";
  while (!pending.empty()) {
    std::string current = pending.front();
    pending.pop_front();
    auto it = granted_.find(current);
    if (it == granted_.end()) continue;
    for (const std::string& next : it->second) {
      if (parent.count(next)) continue;
      parent[next] = current;
      if (next == held) {
        std::vector<std::string> path;
        for (std::string step = held; !step.empty(); step = parent[step]) {
          path.insert(path.begin(), step);
        }
        return path;
      }
      pending.push_back(next);
    }
  }
  return {};
}

}  // namespace sluice::rbac
