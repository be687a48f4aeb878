// Replaces glibc's malloc family for the forwarding benchmark binary (see alloc_hooks.h). glibc
// supports this (its manual, "Replacing malloc"): malloc, free, calloc and realloc must all be
// replaced, and the aligned variants too since the program may call them; each forwards to the
// __libc_* entry points of the real allocator, so memory handed out by either name is the same.
#include "bench/forward/alloc_hooks.h"

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>

extern "C" {
void* __libc_malloc(size_t size);
void __libc_free(void* p);
void* __libc_calloc(size_t n, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
}

namespace sfu::bench::forward {
namespace {

std::atomic<uint64_t> g_allocations{0};
// Plain static TLS (no constructor), safe to touch from inside malloc on any thread.
__thread uint64_t t_allocations = 0;

inline void Count() {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  ++t_allocations;
}

}  // namespace

uint64_t AllocationsTotal() { return g_allocations.load(std::memory_order_relaxed); }
uint64_t AllocationsThisThread() { return t_allocations; }

}  // namespace sfu::bench::forward

using sfu::bench::forward::Count;

extern "C" {

void* malloc(size_t size) noexcept {
  Count();
  return __libc_malloc(size);
}

void free(void* p) noexcept { __libc_free(p); }

void* calloc(size_t n, size_t size) noexcept {
  Count();
  return __libc_calloc(n, size);
}

void* realloc(void* p, size_t size) noexcept {
  Count();
  return __libc_realloc(p, size);
}

void* memalign(size_t alignment, size_t size) noexcept {
  Count();
  return __libc_memalign(alignment, size);
}

void* aligned_alloc(size_t alignment, size_t size) noexcept {
  Count();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  Count();
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

}  // extern "C"
