// The privilege matrix: every statement kind x every privilege it needs x how that privilege is
// (or is not) held. For each case every other requirement of the statement is granted directly,
// so the outcome depends on the privilege under test alone: allowed exactly when it is held, and
// when denied the error names that privilege and object.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rbac/access_control.h"
#include "rbac/statement_requirements.h"

namespace sluice::rbac {
namespace {

enum class Holding {
  kMissing,          // never granted: deny
  kDirect,           // granted to the session role: allow
  kRoleChain3,       // granted to r3; the session role holds r1 holds r2 holds r3: allow
  kSchemaWide,       // ALL RELATIONS IN SCHEMA / ALL SCHEMAS IN DATABASE: allow
  kPublic,           // granted to PUBLIC: allow
  kOwner,            // the session role owns the object: allow
  kSiblingObject,    // granted on another object of the same kind: deny
  kOtherRole,        // granted to an unrelated role: deny
  kParentRole,       // granted to a role that holds the session role (no downward flow): deny
  kRevoked,          // granted, then revoked: deny
  kOtherSchemaWide,  // schema-wide grant on another schema/database: deny
};

constexpr Holding kAllHoldings[] = {
    Holding::kMissing,    Holding::kDirect,  Holding::kRoleChain3,      Holding::kSchemaWide,
    Holding::kPublic,     Holding::kOwner,   Holding::kSiblingObject,   Holding::kOtherRole,
    Holding::kParentRole, Holding::kRevoked, Holding::kOtherSchemaWide,
};

const char* HoldingName(Holding holding) {
  switch (holding) {
    case Holding::kMissing: return "missing";
    case Holding::kDirect: return "direct";
    case Holding::kRoleChain3: return "role_chain3";
    case Holding::kSchemaWide: return "schema_wide";
    case Holding::kPublic: return "public";
    case Holding::kOwner: return "owner";
    case Holding::kSiblingObject: return "sibling_object";
    case Holding::kOtherRole: return "other_role";
    case Holding::kParentRole: return "parent_role";
    case Holding::kRevoked: return "revoked";
    case Holding::kOtherSchemaWide: return "other_schema_wide";
  }
  return "?";
}

bool Allows(Holding holding) {
  return holding == Holding::kDirect || holding == Holding::kRoleChain3 ||
         holding == Holding::kSchemaWide || holding == Holding::kPublic ||
         holding == Holding::kOwner;
}

const StatementTargets kTargets = {"shop",         "shop.raw", "shop.raw.pageviews",
                                   "shop.raw.out", "kafka1",   "7"};

// Another object of the same kind, for the sibling case; nullopt when there is none.
std::optional<ObjectRef> Sibling(const ObjectRef& object) {
  switch (object.kind) {
    case ObjectKind::kDatabase: return ObjectRef{object.kind, "other"};
    case ObjectKind::kSchema: return ObjectRef{object.kind, "shop.other"};
    case ObjectKind::kRelation: return ObjectRef{object.kind, "shop.raw.sibling"};
    case ObjectKind::kStore: return ObjectRef{object.kind, "kafka2"};
    case ObjectKind::kQuery: return ObjectRef{object.kind, "8"};
    default: return std::nullopt;
  }
}

struct MatrixCase {
  StatementKind statement;
  size_t requirement_idx;
  Holding holding;
};

// Whether `holding` can be set up for this requirement at all.
bool Applies(const Requirement& requirement, Holding holding) {
  bool ownership = requirement.privilege == Privilege::kOwnership;
  bool org = requirement.object.kind == ObjectKind::kOrganization;
  switch (holding) {
    case Holding::kSchemaWide:
    case Holding::kOtherSchemaWide:
      return !ownership && CoveringScope(requirement.object).has_value();
    case Holding::kSiblingObject: return Sibling(requirement.object).has_value();
    case Holding::kPublic:
    case Holding::kOtherRole:
    case Holding::kParentRole:
    case Holding::kRevoked: return !ownership;
    case Holding::kOwner:
      return !org;  // the organization's owner is ORGADMIN; covered by the built-in role tests
    default: return true;
  }
}

std::vector<MatrixCase> AllCases() {
  std::vector<MatrixCase> cases;
  for (StatementKind statement : AllStatementKinds()) {
    std::vector<Requirement> requirements = RequiredPrivileges(statement, kTargets);
    for (size_t requirement_idx = 0; requirement_idx < requirements.size(); ++requirement_idx) {
      for (Holding holding : kAllHoldings) {
        if (Applies(requirements[requirement_idx], holding)) {
          cases.push_back({statement, requirement_idx, holding});
        }
      }
    }
  }
  return cases;
}

class PrivilegeMatrixTest : public ::testing::TestWithParam<MatrixCase> {
 protected:
  void SetUp() override {
    // sysadmin owns every object; the session role "analyst" holds r1 > r2 > r3, and "lead"
    // holds analyst.
    for (const char* role : {"analyst", "r1", "r2", "r3", "lead", "bystander"}) {
      ASSERT_TRUE(access_.roles().CreateRole(role).ok());
    }
    ASSERT_TRUE(access_.roles().Grant("r1", "analyst").ok());
    ASSERT_TRUE(access_.roles().Grant("r2", "r1").ok());
    ASSERT_TRUE(access_.roles().Grant("r3", "r2").ok());
    ASSERT_TRUE(access_.roles().Grant("analyst", "lead").ok());
    for (ObjectRef object : std::vector<ObjectRef>{
             {ObjectKind::kDatabase, "shop"},
             {ObjectKind::kDatabase, "other"},
             {ObjectKind::kSchema, "shop.raw"},
             {ObjectKind::kSchema, "shop.other"},
             {ObjectKind::kRelation, "shop.raw.pageviews"},
             {ObjectKind::kRelation, "shop.raw.out"},
             {ObjectKind::kRelation, "shop.raw.sibling"},
             {ObjectKind::kStore, "kafka1"},
             {ObjectKind::kStore, "kafka2"},
             {ObjectKind::kQuery, "7"},
             {ObjectKind::kQuery, "8"},
         }) {
      access_.SetOwner(object, kSysAdmin);
    }
  }

  void GrantOrFail(Privilege privilege, const ObjectRef& object, const std::string& grantee) {
    std::string grantor = object.kind == ObjectKind::kOrganization ? kOrgAdmin : kSysAdmin;
    Status status = access_.GrantPrivilege(grantor, privilege, object, grantee, false);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  void Hold(const Requirement& requirement, Holding holding) {
    const std::string session = "analyst";
    bool ownership = requirement.privilege == Privilege::kOwnership;
    auto give = [&](const std::string& role) {
      if (ownership) {
        ASSERT_TRUE(access_.TransferOwnership(kSysAdmin, requirement.object, role).ok());
      } else {
        GrantOrFail(requirement.privilege, requirement.object, role);
      }
    };
    switch (holding) {
      case Holding::kMissing: break;
      case Holding::kDirect: give(session); break;
      case Holding::kRoleChain3: give("r3"); break;
      case Holding::kSchemaWide:
        GrantOrFail(requirement.privilege, *CoveringScope(requirement.object), session);
        break;
      case Holding::kOtherSchemaWide: {
        ObjectRef scope = *CoveringScope(requirement.object);
        scope.name = scope.kind == ObjectKind::kAllRelationsInSchema ? "shop.other" : "other";
        GrantOrFail(requirement.privilege, scope, session);
        break;
      }
      case Holding::kPublic: give(kPublic); break;
      case Holding::kOwner:
        if (requirement.object.kind == ObjectKind::kOrganization) break;
        ASSERT_TRUE(access_.TransferOwnership(kSysAdmin, requirement.object, session).ok());
        break;
      case Holding::kSiblingObject:
        if (ownership) {
          ASSERT_TRUE(
              access_.TransferOwnership(kSysAdmin, *Sibling(requirement.object), session).ok());
        } else {
          GrantOrFail(requirement.privilege, *Sibling(requirement.object), session);
        }
        break;
      case Holding::kOtherRole: give("bystander"); break;
      case Holding::kParentRole: give("lead"); break;
      case Holding::kRevoked: {
        give(session);
        std::string grantor =
            requirement.object.kind == ObjectKind::kOrganization ? kOrgAdmin : kSysAdmin;
        ASSERT_TRUE(access_
                        .RevokePrivilege(grantor, requirement.privilege, requirement.object,
                                         session, DropBehavior::kRestrict)
                        .ok());
        break;
      }
    }
  }

  AccessControl access_;
};

TEST_P(PrivilegeMatrixTest, AllowedExactlyWhenHeld) {
  const MatrixCase& matrix_case = GetParam();
  std::vector<Requirement> requirements = RequiredPrivileges(matrix_case.statement, kTargets);
  for (size_t requirement_idx = 0; requirement_idx < requirements.size(); ++requirement_idx) {
    if (requirement_idx == matrix_case.requirement_idx) continue;
    const Requirement& other = requirements[requirement_idx];
    if (other.privilege == Privilege::kOwnership) {
      ASSERT_TRUE(access_.TransferOwnership(kSysAdmin, other.object, "analyst").ok());
    } else {
      GrantOrFail(other.privilege, other.object, "analyst");
    }
  }
  const Requirement& tested = requirements[matrix_case.requirement_idx];
  Hold(tested, matrix_case.holding);
  if (HasFatalFailure()) return;

  Status status = CheckStatement(access_, "analyst", matrix_case.statement, kTargets);
  if (Allows(matrix_case.holding)) {
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_FALSE(access_.Check("analyst", tested.privilege, tested.object).path.empty());
  } else {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.category(), ErrorCategory::kPermission);
    EXPECT_EQ(status.message(), "role \"analyst\" lacks " +
                                    std::string(PrivilegeName(tested.privilege)) + " on " +
                                    DescribeObject(tested.object));
  }
}

std::string CaseName(const ::testing::TestParamInfo<MatrixCase>& info) {
  std::string name = std::string(StatementKindName(info.param.statement)) + "_req" +
                     std::to_string(info.param.requirement_idx) + "_" +
                     HoldingName(info.param.holding);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Matrix, PrivilegeMatrixTest, ::testing::ValuesIn(AllCases()), CaseName);

TEST(PrivilegeMatrixSize, HasHundredsOfCases) { EXPECT_GE(AllCases().size(), 200u); }

}  // namespace
}  // namespace sluice::rbac
