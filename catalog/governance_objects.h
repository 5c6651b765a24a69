#pragma once
// Governance rows as the catalog stores them (layout version 2). The rules (inheritance, grant
// options, checks) live in rbac/; the catalog only keeps the rows durable.

#include <cstdint>
#include <optional>
#include <string>

namespace sluice {

struct UserInfo {
  std::string name;
  // "SCRAM-SHA-256$..." (rbac/scram.h); nullopt: no password, only local trust may act as it.
  std::optional<std::string> scram_verifier;
  std::string default_role;
};

struct RoleInfo {
  std::string name;
  bool builtin = false;
};

// `member` (a role or a user) holds `role`.
struct RoleMembershipInfo {
  std::string role;
  std::string member_kind;  // "ROLE" or "USER"
  std::string member;
};

// The tables whose rows have an owner role (Catalog::SetOwner).
enum class OwnedObjectKind : uint8_t { kDatabase, kSchema, kRelation, kStore, kQuery };

struct GrantInfo {
  std::string privilege;    // "SELECT", "USAGE", ...
  std::string object_kind;  // "RELATION", "ALL RELATIONS IN SCHEMA", ...
  std::string object_name;  // qualified; empty for the organization
  std::string grantee;
  std::string grantor;
  bool grant_option = false;
};

}  // namespace sluice
