// The commands of --cluster; see cluster_commands.h. They say what they say
// on files (describe.h), from the same reports, fetched through emf-node.
#include "cluster_commands.h"

#include <fmt/format.h>

#include "cluster_client.h"
#include "describe.h"
#include "output.h"

namespace emf::shell {

namespace {

// emf_init (again with foreign keys off for its transaction when it must
// rebuild a table: cluster_client.h), then emf_check. No backup first:
// every node of the cluster holds the data, and emf_backup would write on
// the leader's machine.
Outcome initialise(ClusterClient& cluster, const std::string& kind, const ReportReader& reader,
                   const Terminal& terminal, bool verbose) {
  Outcome outcome;
  const std::string report = cluster.call_rebuilding(kind, "emf_init", {kind});
  describe_init(outcome, report, cluster.call(kind, "emf_check", {kind}, false), reader, terminal,
                verbose);
  return outcome;
}

}  // namespace

int run_on_cluster(const std::string& command, const std::string& addresses,
                   const std::vector<std::string>& kinds, const CommandOptions& options,
                   const Terminal& terminal) {
  ClusterClient cluster(addresses);
  ReportReader reader;
  Output output(terminal, reader, options.json, command);
  std::vector<Target> targets;
  const std::string first = addresses.substr(0, addresses.find(','));
  for (const std::string& kind : kinds) {
    // Shown where a file's path is: the database on the cluster.
    targets.push_back({kind, "", fmt::format("dqlite://{}/{}", first, kind), "--cluster"});
  }
  return for_each_target(targets, output, [&](const Target& target) -> Outcome {
    const std::string& kind = target.kind;
    if (command == "check") {
      return describe_check(cluster.call(kind, "emf_check", {kind}, false), reader, terminal,
                            options.verbose);
    }
    if (command == "status") {
      return describe_status(cluster.rows(kind, std::string(kMigrationsQuery), {kind}), reader,
                             terminal, options.verbose);
    }
    if (command == "init") return initialise(cluster, kind, reader, terminal, options.verbose);
    Outcome outcome = initialise(cluster, kind, reader, terminal, false);
    if (!outcome.ok) {
      outcome.state = "not seeded: " + outcome.state;
      return outcome;
    }
    seed_in_batches(outcome, kind, options, reader,
                    [&](const Connection::Arguments& arguments, std::int64_t) {
                      return cluster.call(kind, "emf_seed", arguments, true);
                    });
    return outcome;
  });
}

}  // namespace emf::shell
