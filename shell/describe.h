// What init, check, status and seed say about one database, from the
// extension's reports: shared by the commands on files (commands.cpp) and
// on a cluster (cluster_commands.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "connection.h"
#include "output.h"
#include "report_reader.h"
#include "terminal.h"

namespace emf::shell {

// The migrations of a kind: version, name, status, applied_at.
inline constexpr std::string_view kMigrationsQuery =
    "SELECT version, name, status, applied_at FROM emf_migrations(?1) ORDER BY version";

// emf_init's report and emf_check's afterwards, into `outcome`.
void describe_init(Outcome& outcome, const std::string& report, const std::string& check,
                   const ReportReader& reader, const Terminal& terminal, bool verbose);
// The rows of kMigrationsQuery.
Outcome describe_status(const std::vector<std::vector<std::string>>& rows,
                        const ReportReader& reader, const Terminal& terminal, bool verbose);
Outcome describe_check(const std::string& report, const ReportReader& reader,
                       const Terminal& terminal, bool verbose);
// Calls seed(emf_seed's arguments, rows seeded so far) batch after batch
// (--rows), or once (the sample rows), and says what went in.
void seed_in_batches(
    Outcome& outcome, const std::string& kind, const CommandOptions& options,
    const ReportReader& reader,
    const std::function<std::string(const Connection::Arguments&, std::int64_t)>& seed);

}  // namespace emf::shell
