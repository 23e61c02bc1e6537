// An allocator that fails on demand, for the out-of-memory loop: the Nth
// allocation counted from arm_allocation_fault() fails, whether SQLite asks
// for it (its default allocator, wrapped through SQLITE_CONFIG_MALLOC) or
// C++ code does (the global operator new, replaced: std::bad_alloc). One
// counter for both, so that walking N = 1, 2, ... reaches every allocation
// of a call, in SQLite and in emf alike.
//
// Only for a test binary of its own (failing_allocator.cpp replaces the
// global operator new of the program that links it), which calls
// install_failing_allocator() first thing in main(), before anything
// initialises SQLite.
#pragma once

#include <cstdint>

namespace emf::test {

struct AllocationFault {
  std::int64_t nth = 0;    // the first allocation to fail; 0: none fails, they are only counted
  bool persistent = true;  // every later allocation fails too (memory stays exhausted)
};

// Wraps SQLite's default allocator; false when SQLite refuses (it is already
// initialised).
bool install_failing_allocator();
void arm_allocation_fault(const AllocationFault& fault);
// Stops counting and failing (until armed again).
void disarm_allocation_fault();
// While suspended, allocations are neither counted nor failed: for the test's
// own work in the middle of a call (copying a row it returned).
void suspend_allocation_fault();
void resume_allocation_fault();
// Whether an allocation has failed since arm_allocation_fault().
bool allocation_fault_fired();
// Allocations counted since arm_allocation_fault().
std::int64_t allocations_counted();

}  // namespace emf::test
