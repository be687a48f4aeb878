#pragma once

#include <cstdint>

namespace sfu::bench::forward {

// Heap accounting for the forwarding benchmark (issue 5: "zero heap allocations per forwarded
// packet in steady state"). The benchmark binary replaces glibc's malloc family (alloc_hooks.cc),
// so every allocation in the process is counted: operator new (libstdc++ calls malloc), OpenSSL's
// CRYPTO_malloc, abseil, liburing. Counting is a relaxed atomic increment plus a per-thread
// counter, so a window's total minus the threads the benchmark itself runs (the traffic side)
// is what the other threads — here only the shard thread — allocated.

// Allocation calls (malloc, calloc, realloc, the aligned variants) made by every thread so far.
uint64_t AllocationsTotal();
// Allocation calls made by the calling thread so far.
uint64_t AllocationsThisThread();

}  // namespace sfu::bench::forward
