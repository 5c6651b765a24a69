#include "rbac/audit_log.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>

namespace sluice::rbac {

namespace {

constexpr const char* kLogFile = "/audit.log";
constexpr const char* kHeadFile = "/audit.head";
const std::string kGenesisHash(64, '0');

// Fields are tab-separated, records newline-terminated: escape both (and the escape itself).
std::string Escape(const std::string& field) {
  std::string out;
  for (char c : field) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

std::string Unescape(const std::string& field) {
  std::string out;
  for (size_t char_idx = 0; char_idx < field.size(); ++char_idx) {
    if (field[char_idx] != '\\' || char_idx + 1 == field.size()) {
      out += field[char_idx];
      continue;
    }
    char next = field[++char_idx];
    out += next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : next;
  }
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

// Everything but the record's own hash, as it appears on the line: what the hash covers.
std::string HashedPart(const AuditRecord& record) {
  std::string line = std::to_string(record.sequence) + "\t" + std::to_string(record.time_ms);
  for (const std::string* field :
       {&record.user, &record.role, &record.client, &record.action, &record.object, &record.result,
        &record.detail, &record.previous_hash}) {
    line += "\t" + Escape(*field);
  }
  return line;
}

Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("audit log: write " + path, errno);
    written += static_cast<size_t>(n);
  }
  return Status::OK();
}

Result<std::string> ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string();
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

Result<std::vector<AuditRecord>> ParseAuditLog(const std::string& text) {
  std::vector<AuditRecord> records;
  size_t start = 0;
  int64_t line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    std::vector<std::string> fields;
    size_t field_start = 0;
    while (true) {
      size_t tab = line.find('\t', field_start);
      fields.push_back(line.substr(field_start, tab - field_start));
      if (tab == std::string::npos) break;
      field_start = tab + 1;
    }
    if (fields.size() != 11) {
      return Status::Storage("audit log broken at line " + std::to_string(line_number) +
                             ": expected 11 fields, found " + std::to_string(fields.size()));
    }
    AuditRecord record;
    try {
      record.sequence = std::stoll(fields[0]);
      record.time_ms = std::stoll(fields[1]);
    } catch (const std::exception&) {
      return Status::Storage("audit log broken at line " + std::to_string(line_number) +
                             ": bad sequence or time");
    }
    record.user = Unescape(fields[2]);
    record.role = Unescape(fields[3]);
    record.client = Unescape(fields[4]);
    record.action = Unescape(fields[5]);
    record.object = Unescape(fields[6]);
    record.result = Unescape(fields[7]);
    record.detail = Unescape(fields[8]);
    record.previous_hash = Unescape(fields[9]);
    record.hash = fields[10];
    records.push_back(std::move(record));
  }
  return records;
}

namespace {

// The last complete line of the log, or "" (read from the end: the log may be large).
Result<std::string> LastLine(int fd, const std::string& path) {
  struct stat info;
  if (::fstat(fd, &info) != 0) return Status::FromErrno("audit log: stat " + path, errno);
  const off_t size = info.st_size;
  const off_t start = size > 65536 ? size - 65536 : 0;
  std::string tail(static_cast<size_t>(size - start), '\0');
  ssize_t got = ::pread(fd, tail.data(), tail.size(), start);
  if (got < 0) return Status::FromErrno("audit log: read " + path, errno);
  tail.resize(static_cast<size_t>(got));
  size_t end = tail.rfind('\n');
  if (end == std::string::npos) return std::string();
  size_t begin = tail.rfind('\n', end == 0 ? 0 : end - 1);
  begin = (begin == std::string::npos || end == 0) ? 0 : begin + 1;
  return tail.substr(begin, end - begin + 1);
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& directory) {
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::FromErrno("audit log: mkdir " + directory, errno);
  }
  std::unique_ptr<AuditLog> log(new AuditLog(directory));
  log->last_hash_ = kGenesisHash;
  ASSIGN_OR_RETURN(std::string head, ReadFileText(directory + kHeadFile));
  if (!head.empty()) {
    std::istringstream in(head);
    in >> log->last_sequence_ >> log->last_hash_;
    if (!in) return Status::Storage("audit log: unreadable head file in " + directory);
  }
  const std::string path = directory + kLogFile;
  log->log_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log->log_fd_ < 0) return Status::FromErrno("audit log: open " + path, errno);
  const std::string head_path = directory + kHeadFile;
  log->head_fd_ = ::open(head_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (log->head_fd_ < 0) return Status::FromErrno("audit log: open " + head_path, errno);
  // After a power loss the synced log may hold records the synced head does not name yet (the
  // log is synced first): continue after the log's last record, never reuse its sequence.
  ASSIGN_OR_RETURN(std::string last_line, LastLine(log->log_fd_, path));
  if (!last_line.empty()) {
    Result<std::vector<AuditRecord>> last = ParseAuditLog(last_line);
    if (last.ok() && !last->empty() && last->back().sequence > log->last_sequence_) {
      log->last_sequence_ = last->back().sequence;
      log->last_hash_ = last->back().hash;
      std::lock_guard<std::mutex> lock(log->mutex_);
      const std::string repaired =
          std::to_string(log->last_sequence_) + " " + log->last_hash_ + "\n";
      if (::pwrite(log->head_fd_, repaired.data(), repaired.size(), 0) !=
          static_cast<ssize_t>(repaired.size())) {
        return Status::FromErrno("audit log: repair head", errno);
      }
      RETURN_NOT_OK(log->SyncLocked());
    }
  }
  log->syncer_ = std::thread([raw = log.get()] { raw->SyncLoop(); });
  return log;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  if (syncer_.joinable()) syncer_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (unsynced_) (void)SyncLocked();
  }
  if (log_fd_ >= 0) ::close(log_fd_);
  if (head_fd_ >= 0) ::close(head_fd_);
}

Status AuditLog::SyncLocked() {
  if (::fdatasync(log_fd_) != 0) return Status::FromErrno("audit log: sync", errno);
  if (::fdatasync(head_fd_) != 0) return Status::FromErrno("audit log: sync head", errno);
  unsynced_ = false;
  return Status::OK();
}

void AuditLog::SyncLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!closing_) {
    wake_.wait_for(lock, std::chrono::milliseconds(kGroupSyncMillis));
    if (!unsynced_) continue;
    unsynced_ = false;
    const int64_t covered = last_sequence_;
    lock.unlock();
    // Without the mutex: a statement appending now waits for no disk flush. Log before head, as
    // in SyncLocked. A record appended between the two flushes may have its head synced before
    // its line; it is synced in the next round (and a power loss in that moment is the same as
    // one within the group window: the last routine records may be missing).
    const bool synced = ::fdatasync(log_fd_) == 0 && ::fdatasync(head_fd_) == 0;
    lock.lock();
    // A failed background sync is retried on the next round; synced Appends report their own.
    if (!synced || last_sequence_ != covered) unsynced_ = true;
  }
}

Status AuditLog::Append(AuditRecord record, AuditDurability durability) {
  std::lock_guard<std::mutex> lock(mutex_);
  record.sequence = last_sequence_ + 1;
  record.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  record.previous_hash = last_hash_;
  std::string hashed = HashedPart(record);
  record.hash = Sha256Hex(hashed);
  const std::string path = directory_ + kLogFile;
  RETURN_NOT_OK(WriteAll(log_fd_, hashed + "\t" + record.hash + "\n", path));
  // The head is rewritten in place: the new text is never shorter than the old (sequences only
  // grow), and one small pwrite is not torn by a killed process.
  const std::string head = std::to_string(record.sequence) + " " + record.hash + "\n";
  if (::pwrite(head_fd_, head.data(), head.size(), 0) != static_cast<ssize_t>(head.size())) {
    return Status::FromErrno("audit log: write head", errno);
  }
  last_sequence_ = record.sequence;
  last_hash_ = record.hash;
  unsynced_ = true;
  // Only a success may wait for the group commit: a denial or an error is on disk before the
  // caller answers, whatever it asked for.
  const bool success = record.result == "ok" || record.result == "allowed";
  if (durability == AuditDurability::kSynced || !success) RETURN_NOT_OK(SyncLocked());
  return Status::OK();
}

Result<std::vector<AuditRecord>> AuditLog::ReadAll() const {
  ASSIGN_OR_RETURN(std::string text, ReadFileText(directory_ + kLogFile));
  return ParseAuditLog(text);
}

Status VerifyAuditLog(const std::string& directory) {
  ASSIGN_OR_RETURN(std::string text, ReadFileText(directory + kLogFile));
  ASSIGN_OR_RETURN(std::vector<AuditRecord> records, ParseAuditLog(text));
  std::string previous = kGenesisHash;
  for (size_t record_idx = 0; record_idx < records.size(); ++record_idx) {
    const AuditRecord& record = records[record_idx];
    std::string where = "audit log broken at record " + std::to_string(record_idx + 1) + " (line " +
                        std::to_string(record_idx + 1) + ", sequence " +
                        std::to_string(record.sequence) + "): ";
    if (record.previous_hash != previous) {
      return Status::Storage(where +
                             "it does not follow the record before it (a record was deleted, "
                             "reordered or changed before it)");
    }
    if (record.sequence != static_cast<int64_t>(record_idx) + 1) {
      return Status::Storage(where + "sequence number out of order");
    }
    if (Sha256Hex(HashedPart(record)) != record.hash) {
      return Status::Storage(where + "its contents do not match its hash (the record was edited)");
    }
    previous = record.hash;
  }
  ASSIGN_OR_RETURN(std::string head, ReadFileText(directory + kHeadFile));
  int64_t head_sequence = 0;
  std::string head_hash = kGenesisHash;
  if (!head.empty()) {
    std::istringstream in(head);
    in >> head_sequence >> head_hash;
  }
  if (head_sequence != static_cast<int64_t>(records.size()) || head_hash != previous) {
    return Status::Storage("audit log broken after record " + std::to_string(records.size()) +
                           ": the head names record " + std::to_string(head_sequence) +
                           " (records were cut off the end, or the head was edited)");
  }
  return Status::OK();
}

}  // namespace sluice::rbac
