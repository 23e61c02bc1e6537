// emf: the command line of the Excuse My French databases. It does what
// `python scripts/init_databases.py` did, through libemf's SQL functions:
//
//   emf                      create or upgrade trends, metrics and image_library
//   emf check --verbose      the status of each, every object listed
//   emf seed --rows 100000   synthetic rows in every table
//   emf help COMMAND         a command's options, with an example
//
// docs/shell.md has every command.
#include "cli.h"
#include "emf.h"
#include "sqlite_api.h"

int main(int argc, char** argv) {
  // Every connection this program opens has the emf functions, from the
  // same sources as libemf.so.
  sqlite3_auto_extension(reinterpret_cast<void (*)()>(sqlite3_emf_init));
  return emf::shell::run_command_line(argc, argv);
}
