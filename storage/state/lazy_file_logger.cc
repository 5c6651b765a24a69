#include "storage/state/lazy_file_logger.h"

#include <sys/time.h>

#include <cstdarg>
#include <ctime>

namespace sluice {

LazyFileLogger::LazyFileLogger(std::string path, rocksdb::InfoLogLevel level)
    : rocksdb::Logger(level), path_(std::move(path)) {}

LazyFileLogger::~LazyFileLogger() {
  if (file_ != nullptr) std::fclose(file_);
}

void LazyFileLogger::Logv(const char* format, va_list ap) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ == nullptr) {
    if (open_failed_) return;
    file_ = std::fopen(path_.c_str(), "ae");
    if (file_ == nullptr) {
      open_failed_ = true;
      return;
    }
  }
  struct timeval now {};
  ::gettimeofday(&now, nullptr);
  struct tm utc {};
  ::gmtime_r(&now.tv_sec, &utc);
  std::fprintf(file_, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", utc.tm_year + 1900, utc.tm_mon + 1,
               utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long>(now.tv_usec));
  std::vfprintf(file_, format, ap);
  std::fputc('\n', file_);
  std::fflush(file_);
}

void LazyFileLogger::Flush() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ != nullptr) std::fflush(file_);
}

std::shared_ptr<rocksdb::Logger> MakeLazyFileLogger(const std::string& path,
                                                    rocksdb::InfoLogLevel level) {
  return std::make_shared<LazyFileLogger>(path, level);
}

}  // namespace sluice
