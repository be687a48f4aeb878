#pragma once

// A scoped heap-allocation counter for the "no per-packet allocation" proofs (STYLE.md).
//
// sfu_test replaces the global operator new exactly once (alloc_counter_test.cc, which the
// *_test.cc glob links into that binary and nothing else: fuzzers and other binaries keep the
// normal allocator). The replacement counts only while an AllocationCounter is alive and
// otherwise forwards to malloc, so suites that do not count are unaffected.
#include <cstdint>

namespace sfu::sfu::testing_alloc {

// Counts operator new calls from construction until destruction. Not nestable; the count is
// process-wide (tests in sfu_test run on one thread).
class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;

  uint64_t count() const;
};

}  // namespace sfu::sfu::testing_alloc
