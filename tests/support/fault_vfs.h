// A VFS that wraps the default one and fails on demand: the Nth call of one
// kind (xWrite, xSync, xTruncate, xOpen, xShmMap or xFileControl) returns
// the chosen error, as a full disk or a failing device would, so that a test
// can walk every point where emf touches the disk. Public APIs only, in the
// manner of SQLite's ext/misc/vfsstat.c.
#pragma once

#include <cstdint>

namespace emf::test {

inline constexpr const char* kFaultVfs = "emf_fault";

enum class FaultPoint { write, sync, truncate, open, shm_map, file_control };

struct Fault {
  FaultPoint point = FaultPoint::write;
  std::int64_t nth = 1;    // the first call to fail, counted from arm()
  int code = 0;            // SQLITE_FULL, SQLITE_IOERR_WRITE, ...
  int system_errno = 0;    // what xGetLastError reports once it has failed
  bool persistent = true;  // every later call fails too (a disk stays full)
};

// Registers the VFS once per process; as the default when asked (then
// every connection, emf's private ones included, goes through it).
void register_fault_vfs(bool make_default);
void arm_fault(const Fault& fault);
void disarm_fault();
// Whether the armed fault has fired since arm_fault().
bool fault_fired();
// Calls of the point counted since arm_fault() (or since the last disarm).
std::int64_t fault_calls(FaultPoint point);
// Stops the VFS's clock at the given time, in milliseconds since the Julian
// epoch (as xCurrentTimeInt64 returns it), so that two runs of an operation
// write the same times; 0 lets it run again. Armed or not, the other calls
// go to the default VFS as before.
void freeze_fault_vfs_clock(std::int64_t julian_ms);

}  // namespace emf::test
