// The schema a kind should have at a version: its migrations applied to a
// private in-memory database and read back. Built once per process.
#pragma once

#include "kinds.h"
#include "schema_snapshot.h"

namespace emf {

const SchemaSnapshot& expected_schema(Kind kind, int version);

}  // namespace emf
