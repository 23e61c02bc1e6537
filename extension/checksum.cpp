// SHA-256 through OpenSSL's EVP interface; see checksum.h.
#include "checksum.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include "error.h"

namespace emf {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw Error("SHA-256 failed in OpenSSL");
  }
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i)
    fmt::format_to(std::back_inserter(hex), "{:02x}", digest[i]);
  return hex;
}

}  // namespace emf
