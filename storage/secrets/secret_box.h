// SecretBox seals small secrets (store credentials) with AES-256-GCM under the data dir's master
// key. The catalog only ever sees the sealed bytes; the master key lives in a 0600 file that
// workers never open (the engine hands a worker the opened secrets over its pipe).

#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice {

class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;

  // Loads the master key from `key_file`, or creates it (RAND_bytes, mode 0600, parent
  // directories 0700) when it does not exist. Refuses a key file readable by group or others.
  [[nodiscard]] static Result<SecretBox> OpenOrCreate(const std::string& key_file);

  // The default key file of a data dir: $SLUICE_MASTER_KEY_FILE if set, else
  // <data_dir>/keys/master.key.
  static std::string DefaultKeyFile(const std::string& data_dir);

  // Returns version byte | 12-byte nonce | ciphertext | 16-byte tag. `context` (e.g. the store
  // name) is authenticated, so a sealed blob copied to another store does not open.
  [[nodiscard]] Result<std::string> Seal(std::string_view plaintext,
                                         std::string_view context) const;
  [[nodiscard]] Result<std::string> Open(std::string_view sealed, std::string_view context) const;

 private:
  explicit SecretBox(const std::array<uint8_t, kKeySize>& key) : key_(key) {}
  std::array<uint8_t, kKeySize> key_;
};

}  // namespace sluice
