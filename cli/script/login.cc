#include "cli/script/login.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace sluice {

bool IsLocalTrust(const std::string& data_dir) {
  struct stat info;
  if (stat(data_dir.c_str(), &info) != 0) return errno == ENOENT;
  return info.st_uid == geteuid();
}

Result<std::string> ReadPassword(const std::string& user) {
  if (const char* from_env = std::getenv("SLUICE_PASSWORD")) return std::string(from_env);
  int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  // Without a controlling terminal, a terminal on stdin still serves (e.g. a new session).
  if (tty < 0 && isatty(STDIN_FILENO)) tty = dup(STDIN_FILENO);
  if (tty < 0) {
    return Status::Permission("a password is needed for user \"" + user +
                              "\": set SLUICE_PASSWORD or run sluice from a terminal");
  }
  // Echo goes off before the prompt shows, so a password typed at once is neither echoed nor
  // discarded; input already typed is kept (TCSANOW, not TCSAFLUSH).
  termios saved;
  const bool is_terminal = tcgetattr(tty, &saved) == 0;
  if (is_terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(tty, TCSANOW, &quiet);
  }
  const std::string prompt = "Password for user " + user + ": ";
  if (write(tty, prompt.data(), prompt.size()) < 0) {
    if (is_terminal) tcsetattr(tty, TCSANOW, &saved);
    close(tty);
    return Status::Internal("cannot write the password prompt to the terminal");
  }
  std::string password;
  char c = 0;
  while (read(tty, &c, 1) == 1 && c != '\n' && c != '\r') password.push_back(c);
  if (is_terminal) tcsetattr(tty, TCSANOW, &saved);
  if (write(tty, "\n", 1) < 0) {
    // The newline only tidies the terminal; the password was read.
  }
  close(tty);
  return password;
}

Status LoginSession(Session& session, const std::string& data_dir, const std::string& user,
                    bool ask_password) {
  const std::string name = user.empty() ? "admin" : user;
  if (ask_password || !IsLocalTrust(data_dir)) {
    ASSIGN_OR_RETURN(std::string password, ReadPassword(name));
    return session.LoginWithPassword(name, password);
  }
  return user.empty() ? Status::OK() : session.Login(user);
}

}  // namespace sluice
