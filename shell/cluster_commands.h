// init, check, status and seed against a dqlite cluster of emf-node
// (--cluster; docs/shell.md, docs/cluster.md).
#pragma once

#include <string>
#include <vector>

#include "commands.h"
#include "terminal.h"

namespace emf::shell {

// command: init, check, status or seed; kinds: the databases, each a dqlite
// database of its kind's name. The exit status, as on files.
int run_on_cluster(const std::string& command, const std::string& addresses,
                   const std::vector<std::string>& kinds, const CommandOptions& options,
                   const Terminal& terminal);

}  // namespace emf::shell
