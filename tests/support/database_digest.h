// What a database holds, as text: two files with the same digest hold the
// same objects and the same rows.
#pragma once

#include <string>

#include "support/test_db.h"

namespace emf::test {

// Db::dump() with one value left out: emf_schema_history.duration_ms, which
// emf measures with std::chrono::steady_clock (no VFS can freeze it). Every
// other value of every row, and the SQL of every object, is compared.
std::string digest(Db& db);

// Where two digests part, for a message.
std::string first_difference(const std::string& a, const std::string& b);

}  // namespace emf::test
