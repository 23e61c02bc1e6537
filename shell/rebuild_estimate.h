// How long a rebuild would hold a database's write lock, measured rather
// than guessed, for the dry runs of init and repair.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "connection.h"
#include "output.h"
#include "report_reader.h"
#include "targets.h"

namespace emf::shell {

struct RebuildEstimate {
  std::int64_t rows = 0;     // in the tables rebuilt
  std::int64_t sampled = 0;  // rows copied to measure
  double seconds = 0;
};

// Copies up to a sample of each table's rows into emf's schema for the kind
// in a private in-memory database (its checks, conversion triggers and
// indexes doing their work), and scales the time to every row. The
// database itself is only read. On failure, why it could not be measured.
std::variant<RebuildEstimate, std::string> estimate_rebuild(Connection& source,
                                                            const Target& target,
                                                            const std::vector<std::string>& tables);

// The estimate as a dry run shows it: the field "rebuild_estimate" of its
// JSON ({"tables":[...],"rows":N,"seconds":S}, or "error" for why there is
// none), and the sentence it returns ("about 3 s holding the write lock").
std::string add_rebuild_estimate(Outcome& outcome, Connection& source, const Target& target,
                                 const std::vector<std::string>& tables,
                                 const ReportReader& reader);

}  // namespace emf::shell
