#pragma once
// The append-only, hash-chained audit log in the data dir (<data_dir>/audit/audit.log). One
// record per line; each holds the SHA-256 of the previous record, so editing a byte, deleting a
// record or reordering two breaks the chain at that point. A small head file (audit.head) keeps
// the sequence number and hash of the last record, so cutting records off the end is detected
// too. Secret literals are redacted by the caller before text reaches a record (RedactSecrets).

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::rbac {

struct AuditRecord {
  int64_t sequence = 0;  // 1, 2, ... assigned by Append
  int64_t time_ms = 0;   // assigned by Append
  std::string user;
  std::string role;
  std::string client;  // "local", "worker", later a peer address
  std::string action;  // "statement", "login", "access", "grant", ...
  std::string object;
  std::string result;         // "ok", "denied", "error: ..."
  std::string detail;         // the statement text (redacted), the decision path
  std::string previous_hash;  // hex SHA-256 of the previous record's line; 64 zeros for the first
  std::string hash;           // hex SHA-256 of this record's fields and previous_hash
};

class AuditLog {
 public:
  // Opens (creating) the log in `directory`, reading the head to continue the chain.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& directory);
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends `record` (its sequence, time and hashes are filled in) and syncs the file. Thread-safe.
  Status Append(AuditRecord record);
  // Every record, oldest first, as stored (not verified).
  Result<std::vector<AuditRecord>> ReadAll() const;

 private:
  explicit AuditLog(std::string directory) : directory_(std::move(directory)) {}

  std::string directory_;
  std::mutex mutex_;
  int64_t last_sequence_ = 0;
  std::string last_hash_;
};

// Recomputes the chain of the log in `directory`. OK when intact; otherwise a STORAGE error naming
// the first broken record: "audit log broken at record 17 (line 17): hash does not match".
Status VerifyAuditLog(const std::string& directory);

// Reads the records of a log file's text (for tests and the verifier).
Result<std::vector<AuditRecord>> ParseAuditLog(const std::string& text);

// Replaces secret literals in SQL text by '********': the literal after PASSWORD and the value of
// any 'key'='value' property whose key contains "password" or "secret".
std::string RedactSecrets(const std::string& sql);

}  // namespace sluice::rbac
