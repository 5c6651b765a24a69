#pragma once
// What each kind of statement needs before it runs: the single table the binder consults, so the
// rules live in one place (and the privilege matrix test covers exactly what enforcement uses).

#include <string>
#include <vector>

#include "rbac/access_control.h"

namespace sluice::rbac {

enum class StatementKind {
  kSelect,          // SELECT ... FROM relation (interactive)
  kInsertValues,    // INSERT INTO relation VALUES
  kCreateRelation,  // CREATE STREAM/CHANGELOG in a schema
  kCreateAsSelect,  // CREATE STREAM s AS SELECT ... FROM r (sink created, source read)
  kInsertSelect,    // INSERT INTO s SELECT ... FROM r (persistent)
  kCreateSchema,    // CREATE SCHEMA db.s
  kCreateDatabase,  // CREATE DATABASE
  kCreateStore,     // CREATE STORE
  kCreateRole,      // CREATE ROLE
  kCreateUser,      // CREATE USER
  kUseStore,        // a relation WITH ('store'='k')
  kTerminateQuery,  // TERMINATE / RESTART QUERY n
  kDescribeQuery,   // DESCRIBE QUERY n
  kReadAuditLog,    // SELECT FROM sluice.sys.audit_log
  kDropRelation,    // DROP STREAM/CHANGELOG (owner only)
};

// The names a statement refers to, already resolved to qualified form.
struct StatementTargets {
  std::string database;  // "shop"
  std::string schema;    // "shop.raw"
  std::string relation;  // "shop.raw.pageviews": read (source) or written
  std::string sink;      // "shop.raw.out": a second relation written by *_AS_SELECT / INSERT SELECT
  std::string store;
  std::string query;  // the query id as text
};

struct Requirement {
  Privilege privilege;
  ObjectRef object;
};

std::string_view StatementKindName(StatementKind kind);
std::vector<StatementKind> AllStatementKinds();
std::vector<Requirement> RequiredPrivileges(StatementKind kind, const StatementTargets& targets);
// Checks every requirement in order; the first missing one is the error.
Status CheckStatement(const AccessControl& access, const std::string& role, StatementKind kind,
                      const StatementTargets& targets);

}  // namespace sluice::rbac
