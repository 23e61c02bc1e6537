// SHA-256 through Nettle; see checksum.h.
#include "checksum.h"

#include <fmt/format.h>

#include <nettle/sha2.h>
#include <cstdint>

namespace emf {

std::string sha256_hex(std::string_view data) {
  sha256_ctx context;
  sha256_init(&context);
  sha256_update(&context, data.size(), reinterpret_cast<const std::uint8_t*>(data.data()));
  std::uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&context, sizeof digest, digest);
  std::string hex;
  hex.reserve(sizeof digest * 2);
  for (const std::uint8_t byte : digest) fmt::format_to(std::back_inserter(hex), "{:02x}", byte);
  return hex;
}

}  // namespace emf
