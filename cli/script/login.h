#pragma once
// How `sluice` logs its session in. The OS user that owns the data dir is admin by local trust
// (like SQLite's file permissions) and may act as any user without a password, as a PostgreSQL
// superuser may SET SESSION AUTHORIZATION. Any other caller, or one passing -W, logs in with
// the user's password: from SLUICE_PASSWORD, else asked on the terminal without echo.

#include <string>

#include "common/status.h"
#include "engine/engine.h"

namespace sluice {

// Whether the calling process owns `data_dir` (a dir that does not exist yet will be ours).
bool IsLocalTrust(const std::string& data_dir);

// Reads the password: SLUICE_PASSWORD, else a prompt on /dev/tty with echo off.
Result<std::string> ReadPassword(const std::string& user);

// Logs `session` in as `user` (empty: admin) as described above.
Status LoginSession(Session& session, const std::string& data_dir, const std::string& user,
                    bool ask_password);

}  // namespace sluice
