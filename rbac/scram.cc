#include "rbac/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <vector>

namespace sluice::rbac {

namespace {

using Bytes = std::vector<unsigned char>;

std::string Base64(const Bytes& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<Bytes> Unbase64(const std::string& text) {
  Bytes out(3 * (text.size() / 4) + 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0 || text.size() % 4 != 0) return Status::Internal("bad base64 in a SCRAM verifier");
  size_t padding = 0;
  if (!text.empty() && text.back() == '=')
    padding = text.size() > 1 && text[text.size() - 2] == '=' ? 2 : 1;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

Bytes Hmac(const Bytes& key, const std::string& message) {
  Bytes out(SHA256_DIGEST_LENGTH);
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &length);
  return out;
}

struct Keys {
  Bytes stored_key;
  Bytes server_key;
};

Result<Keys> DeriveKeys(const std::string& password, const Bytes& salt, int iterations) {
  Bytes salted(SHA256_DIGEST_LENGTH);
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(salted.size()), salted.data()) != 1) {
    return Status::Internal("PBKDF2 failed");
  }
  Bytes client_key = Hmac(salted, "Client Key");
  Keys keys;
  keys.stored_key.resize(SHA256_DIGEST_LENGTH);
  SHA256(client_key.data(), client_key.size(), keys.stored_key.data());
  keys.server_key = Hmac(salted, "Server Key");
  OPENSSL_cleanse(salted.data(), salted.size());
  return keys;
}

}  // namespace

Result<std::string> MakeScramVerifier(const std::string& password, int iterations) {
  Bytes salt(16);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return Status::Internal("RAND_bytes failed");
  }
  ASSIGN_OR_RETURN(Keys keys, DeriveKeys(password, salt, iterations));
  return "SCRAM-SHA-256$" + std::to_string(iterations) + ":" + Base64(salt) + "$" +
         Base64(keys.stored_key) + ":" + Base64(keys.server_key);
}

Result<bool> CheckScramPassword(const std::string& password, const std::string& verifier) {
  const std::string prefix = "SCRAM-SHA-256$";
  size_t colon = verifier.find(':');
  size_t dollar = verifier.find('$', prefix.size());
  size_t last_colon = verifier.rfind(':');
  if (verifier.compare(0, prefix.size(), prefix) != 0 || colon == std::string::npos ||
      dollar == std::string::npos || last_colon <= dollar) {
    return Status::Internal("malformed SCRAM verifier");
  }
  int iterations = std::atoi(verifier.substr(prefix.size(), colon - prefix.size()).c_str());
  if (iterations <= 0) return Status::Internal("malformed SCRAM verifier");
  ASSIGN_OR_RETURN(Bytes salt, Unbase64(verifier.substr(colon + 1, dollar - colon - 1)));
  ASSIGN_OR_RETURN(Bytes stored_key,
                   Unbase64(verifier.substr(dollar + 1, last_colon - dollar - 1)));
  ASSIGN_OR_RETURN(Keys keys, DeriveKeys(password, salt, iterations));
  return stored_key.size() == keys.stored_key.size() &&
         CRYPTO_memcmp(stored_key.data(), keys.stored_key.data(), stored_key.size()) == 0;
}

}  // namespace sluice::rbac
