// AES-256-GCM sealing of store credentials; see secret_box.h and docs/security.md.

#include "storage/secrets/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <memory>

namespace sluice {

namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

Status ReadExactly(int fd, uint8_t* out, size_t size, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("read " + path, errno);
    if (n == 0) {
      return Status::Storage("master key file " + path + " is truncated (expected " +
                             std::to_string(size) + " bytes)");
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status WriteAll(int fd, const uint8_t* data, size_t size, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("write " + path, errno);
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace

std::string SecretBox::DefaultKeyFile(const std::string& data_dir) {
  if (const char* path = std::getenv("SLUICE_MASTER_KEY_FILE"); path != nullptr && *path != 0) {
    return path;
  }
  return data_dir + "/keys/master.key";
}

Result<SecretBox> SecretBox::OpenOrCreate(const std::string& key_file) {
  std::array<uint8_t, kKeySize> key{};
  int fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno("stat " + key_file, err);
    }
    if ((info.st_mode & 077) != 0) {
      ::close(fd);
      return Status::Storage("master key file " + key_file +
                             " is readable by other users; run chmod 600 on it");
    }
    Status status = ReadExactly(fd, key.data(), key.size(), key_file);
    ::close(fd);
    RETURN_NOT_OK(status);
    return SecretBox(key);
  }
  if (errno != ENOENT) return Status::FromErrno("open " + key_file, errno);

  std::filesystem::path parent = std::filesystem::path(key_file).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    if (std::filesystem::create_directories(parent, error); error) {
      return Status::Storage("cannot create " + parent.string() + ": " + error.message());
    }
    ::chmod(parent.c_str(), 0700);
  }
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return Status::Internal("RAND_bytes failed to make a master key");
  }
  // Write to a temporary name and link it into place so a crash never leaves a short key file,
  // and two engines racing to create it agree on one key (link fails for the loser).
  const std::string temp = key_file + ".tmp." + std::to_string(::getpid());
  fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("create " + temp, errno);
  Status status = WriteAll(fd, key.data(), key.size(), temp);
  if (status.ok() && ::fsync(fd) != 0) status = Status::FromErrno("fsync " + temp, errno);
  ::close(fd);
  if (status.ok() && ::link(temp.c_str(), key_file.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    if (err == EEXIST) return OpenOrCreate(key_file);
    return Status::FromErrno("link " + key_file, err);
  }
  ::unlink(temp.c_str());
  RETURN_NOT_OK(status);
  return SecretBox(key);
}

Result<std::string> SecretBox::Seal(std::string_view plaintext, std::string_view context) const {
  std::string sealed(1 + kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* out = reinterpret_cast<uint8_t*>(sealed.data());
  out[0] = kVersion;
  uint8_t* nonce = out + 1;
  if (RAND_bytes(nonce, kNonceSize) != 1) return Status::Internal("RAND_bytes failed");
  CipherContext ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(context.data()),
                        static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nonce + kNonceSize, &len,
                        reinterpret_cast<const uint8_t*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), nonce + kNonceSize + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                          nonce + kNonceSize + plaintext.size()) != 1) {
    return Status::Internal("AES-256-GCM encryption failed");
  }
  return sealed;
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view context) const {
  if (sealed.size() < 1 + kNonceSize + kTagSize || static_cast<uint8_t>(sealed[0]) != kVersion) {
    return Status::Storage("sealed secret is malformed or of an unknown version");
  }
  const auto* in = reinterpret_cast<const uint8_t*>(sealed.data());
  const uint8_t* nonce = in + 1;
  const size_t cipher_size = sealed.size() - 1 - kNonceSize - kTagSize;
  std::string plain(cipher_size, '\0');
  std::array<uint8_t, kTagSize> tag{};
  std::copy(nonce + kNonceSize + cipher_size, nonce + kNonceSize + cipher_size + kTagSize,
            tag.begin());
  CipherContext ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(context.data()),
                        static_cast<int>(context.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()), &len,
                        nonce + kNonceSize, static_cast<int>(cipher_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1;
  if (!ok ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()) + len, &len) != 1) {
    return Status::Storage(
        "cannot decrypt a store secret: wrong master key or tampered catalog "
        "(check SLUICE_MASTER_KEY_FILE / <data_dir>/keys/master.key)");
  }
  return plain;
}

}  // namespace sluice
