#pragma once
// SCRAM-SHA-256 password verifiers (RFC 5802/7677), the only form in which a password is stored:
// "SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>", PostgreSQL's layout.
// The same verifier later serves SCRAM authentication over the wire protocol.

#include <string>

#include "common/status.h"

namespace sluice::rbac {

// A verifier for `password` with a fresh random 16-byte salt (RAND_bytes).
Result<std::string> MakeScramVerifier(const std::string& password, int iterations = 4096);
// Whether `password` matches `verifier` (constant-time comparison of the stored key).
Result<bool> CheckScramPassword(const std::string& password, const std::string& verifier);

}  // namespace sluice::rbac
