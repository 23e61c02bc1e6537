// See failing_allocator.h. The replaced operator new and delete are the
// whole set a program may replace: AddressSanitizer replaces them all too,
// and memory from one allocator must go back to the same one.
#include "support/failing_allocator.h"

#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace emf::test {
namespace {

// Atomics: SQLite and emf allocate on the caller's thread, but nothing
// forbids another.
std::atomic<bool> armed{false};
std::atomic<bool> suspended{false};
std::atomic<std::int64_t> nth{0};
std::atomic<bool> persistent{true};
std::atomic<std::int64_t> counted{0};
std::atomic<bool> fired{false};

sqlite3_mem_methods sqlite_default{};

bool this_allocation_fails() {
  if (!armed.load(std::memory_order_relaxed) || suspended.load(std::memory_order_relaxed)) {
    return false;
  }
  const std::int64_t count = ++counted;
  const std::int64_t first = nth.load(std::memory_order_relaxed);
  if (first == 0) return false;
  if (count == first || (persistent.load(std::memory_order_relaxed) && count > first)) {
    fired = true;
    return true;
  }
  return false;
}

void* failing_malloc(int size) {
  return this_allocation_fails() ? nullptr : sqlite_default.xMalloc(size);
}

void* failing_realloc(void* memory, int size) {
  return this_allocation_fails() ? nullptr : sqlite_default.xRealloc(memory, size);
}

// For operator new.
void* allocate(std::size_t size) {
  if (this_allocation_fails()) throw std::bad_alloc();
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
  if (this_allocation_fails()) throw std::bad_alloc();
  const auto align = static_cast<std::size_t>(alignment);
  // aligned_alloc wants a multiple of the alignment.
  const std::size_t rounded = (size == 0 ? align : (size + align - 1) / align * align);
  if (void* memory = std::aligned_alloc(align, rounded)) return memory;
  throw std::bad_alloc();
}

}  // namespace

bool install_failing_allocator() {
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_default) != SQLITE_OK) return false;
  sqlite3_mem_methods failing = sqlite_default;
  failing.xMalloc = failing_malloc;
  failing.xRealloc = failing_realloc;
  return sqlite3_config(SQLITE_CONFIG_MALLOC, &failing) == SQLITE_OK;
}

void arm_allocation_fault(const AllocationFault& fault) {
  armed = false;
  nth = fault.nth;
  persistent = fault.persistent;
  counted = 0;
  fired = false;
  suspended = false;
  armed = true;
}

void disarm_allocation_fault() {
  armed = false;
}

void suspend_allocation_fault() {
  suspended = true;
}

void resume_allocation_fault() {
  suspended = false;
}

bool allocation_fault_fired() {
  return fired;
}

std::int64_t allocations_counted() {
  return counted;
}

}  // namespace emf::test

void* operator new(std::size_t size) {
  return emf::test::allocate(size);
}
void* operator new[](std::size_t size) {
  return emf::test::allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return emf::test::allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return emf::test::allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return emf::test::allocate_aligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return emf::test::allocate_aligned(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return emf::test::allocate_aligned(size, alignment);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return emf::test::allocate_aligned(size, alignment);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete[](void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, const std::nothrow_t&) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, const std::nothrow_t&) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(memory);
}
