#pragma once
// The append-only, hash-chained audit log in the data dir (<data_dir>/audit/audit.log). One
// record per line; each holds the SHA-256 of the previous record, so editing a byte, deleting a
// record or reordering two breaks the chain at that point. A small head file (audit.head) keeps
// the sequence number and hash of the last record, so cutting records off the end is detected
// too. Secret literals are redacted by the caller before text reaches a record (RedactSecrets).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
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

// How soon an appended record must be on disk. Either way the record and the new head are
// written before Append returns, so a killed process loses nothing; the difference is a power
// loss (or a kernel crash).
enum class AuditDurability {
  // fdatasynced before Append returns: denials, errors, logins, grants, DDL, every change.
  kSynced,
  // A successful read (a SELECT, SHOW or DESCRIBE and the access decision that allowed it):
  // fdatasynced by the group commit within kGroupSyncMillis, off the statement's path. A record
  // whose result is not "ok" or "allowed" is synced at once whatever the caller asked.
  kGrouped,
};

class AuditLog {
 public:
  // Opens (creating) the log in `directory`, reading the head to continue the chain.
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& directory);
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  ~AuditLog();  // syncs what is not synced yet

  // Appends `record` (its sequence, time and hashes are filled in) and advances the head; both
  // reach the file at once (a killed process loses nothing), and are synced to disk as
  // `durability` says. Thread-safe.
  Status Append(AuditRecord record, AuditDurability durability = AuditDurability::kSynced);
  // How long a successful read's record may stay unsynced (power loss only).
  static constexpr int kGroupSyncMillis = 100;
  // Every record, oldest first, as stored (not verified).
  Result<std::vector<AuditRecord>> ReadAll() const;

 private:
  explicit AuditLog(std::string directory) : directory_(std::move(directory)) {}
  // REQUIRES: mutex_ held. fdatasyncs the log, then the head (so a synced head never names a
  // record the synced log lacks).
  Status SyncLocked();
  // The group commit: syncs unsynced records every kGroupSyncMillis until the log closes. The
  // flushes run without the mutex, so Appends go on while the disk works.
  void SyncLoop();

  std::string directory_;
  std::mutex mutex_;
  std::condition_variable wake_;
  int log_fd_ = -1;   // audit.log, O_APPEND, kept open
  int head_fd_ = -1;  // audit.head, rewritten in place (it only grows: sequences only grow)
  bool unsynced_ = false;
  bool closing_ = false;
  std::thread syncer_;
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
