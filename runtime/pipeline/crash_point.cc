// See crash_point.h.

#include "runtime/pipeline/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <fstream>

namespace sluice {

void MaybeCrashAt(const std::string& state_dir, const char* point) {
  const std::string path = state_dir + "/crash-at";
  if (::access(path.c_str(), F_OK) != 0) return;
  std::string wanted;
  std::getline(std::ifstream(path), wanted);
  if (wanted != point) return;
  ::unlink(path.c_str());
  ::kill(::getpid(), SIGKILL);
}

}  // namespace sluice
