// Migration checksums: SHA-256 (Nettle), as lowercase hex, so that
// `sha256sum sql/trends/001_initial.sql` prints the same value.
#pragma once

#include <string>
#include <string_view>

namespace emf {

std::string sha256_hex(std::string_view data);

}  // namespace emf
