// A VFS that wraps the default one and stops its clock: every 'now' SQLite
// asks for is the same instant, so "an update in the same instant as the
// insert" is a test case, not a matter of luck.
#pragma once

#include <cstdint>

namespace emf::test {

inline constexpr const char* kFrozenClockVfs = "emf_frozen_clock";

// Registers the VFS (once per process) with its clock at the given time,
// in milliseconds since the Julian epoch, as xCurrentTimeInt64 returns it.
void register_frozen_clock_vfs(std::int64_t julian_ms);

}  // namespace emf::test
