// A dqlite cluster of emf-node (docs/cluster.md), reached through the
// program's client mode, `emf-node sql`: each pipeline database is a dqlite
// database of the same name. The shell's --cluster commands call the
// extension's SQL functions through it, as they do on a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "call_arguments.h"
#include "report_reader.h"

namespace emf::shell {

class ClusterClient {
 public:
  // addresses: "HOST:PORT,HOST:PORT"; throws when emf-node cannot be found.
  explicit ClusterClient(std::string addresses);
  // The same, through the given emf-node program.
  ClusterClient(std::string addresses, std::filesystem::path program);

  using Arguments = CallArguments;
  // SELECT function(arguments...) against the database: the text it
  // returns. `writes`: the function changes the database (emf-node sql
  // --write sends it inside BEGIN ... COMMIT, so that dqlite replicates it).
  std::string call(const std::string& database, std::string_view function,
                   const Arguments& arguments, bool writes);
  // As call(..., true), for a function that may rebuild tables (emf_init):
  // when emf refuses to rebuild inside the transaction with foreign keys
  // on (refusing, it changed nothing), it is called again with foreign keys
  // off for that transaction (emf_node sql --foreign-keys-off); emf checks
  // the keys itself after a rebuild.
  std::string call_rebuilding(const std::string& database, std::string_view function,
                              const Arguments& arguments);
  // Every row of a query, each column as text (empty for NULL); ?1, ?2...
  // in `sql` stand for the arguments.
  std::vector<std::vector<std::string>> rows(const std::string& database, const std::string& sql,
                                             const Arguments& arguments);

  const std::string& addresses() const { return addresses_; }

 private:
  std::string run(const std::string& database, const std::string& sql, bool writes,
                  bool foreign_keys_off = false);
  std::string call_sql(std::string_view function, const Arguments& arguments) const;
  // The one value of emf-node's output for a function's call.
  std::string single_value(std::string_view function, const std::string& output) const;
  std::vector<std::vector<std::string>> rows_of(const std::string& output) const;
  std::string addresses_;
  ReportReader reader_;
  std::filesystem::path program_;
};

}  // namespace emf::shell
