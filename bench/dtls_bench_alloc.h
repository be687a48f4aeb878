#pragma once

#include <cstdint>

namespace sfu::bench {

// Heap accounting for the per-connection memory benchmarks. The bench binary replaces the global
// operator new/delete and installs OpenSSL's CRYPTO_set_mem_functions, so both C++ allocations
// (our engine) and libcrypto/libssl allocations (OpenSSL's SSL objects, and the EVP contexts our
// engine's crypto wrappers hold) land in one counter. Sizes are malloc_usable_size(), i.e. what the
// allocator really hands out, so both sides are charged the same way. Single-threaded use only
// (the counter is a relaxed atomic so a stray allocation from another thread cannot tear it).

// Bytes currently live through either allocation path.
int64_t LiveHeapBytes();

// True if OpenSSL's allocations are routed through the counter. It is installed from a static
// initializer that runs before main(); OpenSSL refuses the hook once it has allocated, so a false
// here means OpenSSL bytes would be missing and memory numbers must not be reported.
bool OpenSslAllocationsCounted();

}  // namespace sfu::bench
