// Counting global allocator for the DTLS benchmarks (see dtls_bench_alloc.h).
#include "bench/dtls_bench_alloc.h"

#include <malloc.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace sfu::bench {
namespace {

std::atomic<int64_t> live_bytes{0};

void* CountedMalloc(size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p != nullptr) {
    live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
  return p;
}

void* CountedAlignedMalloc(size_t size, size_t alignment) {
  void* p = nullptr;
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  if (posix_memalign(&p, alignment, size == 0 ? 1 : size) != 0) return nullptr;
  live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  return p;
}

void CountedFree(void* p) {
  if (p == nullptr) return;
  live_bytes.fetch_sub(static_cast<int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}

void* CountedRealloc(void* p, size_t size) {
  const int64_t old_size = p == nullptr ? 0 : static_cast<int64_t>(malloc_usable_size(p));
  void* q = std::realloc(p, size);
  if (q == nullptr) return size == 0 ? nullptr : q;  // on failure `p` is untouched and still live
  live_bytes.fetch_add(static_cast<int64_t>(malloc_usable_size(q)) - old_size,
                       std::memory_order_relaxed);
  return q;
}

void* OpenSslMalloc(size_t size, const char*, int) { return CountedMalloc(size); }
void* OpenSslRealloc(void* p, size_t size, const char*, int) {
  if (size == 0) {  // OpenSSL's contract: realloc to 0 frees
    CountedFree(p);
    return nullptr;
  }
  return CountedRealloc(p, size);
}
void OpenSslFree(void* p, const char*, int) { CountedFree(p); }

bool openssl_hooked = false;

// Runs before main() and before the ordinary static initializers of this binary, so OpenSSL has
// not allocated yet (CRYPTO_set_mem_functions fails after the first allocation).
__attribute__((constructor(101))) void HookOpenSslAllocations() {
  openssl_hooked = CRYPTO_set_mem_functions(OpenSslMalloc, OpenSslRealloc, OpenSslFree) == 1;
}

void* NewOrThrow(size_t size) {
  void* p = CountedMalloc(size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* AlignedNewOrThrow(size_t size, std::align_val_t alignment) {
  void* p = CountedAlignedMalloc(size, static_cast<size_t>(alignment));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

int64_t LiveHeapBytes() { return live_bytes.load(std::memory_order_relaxed); }
bool OpenSslAllocationsCounted() { return openssl_hooked; }

}  // namespace sfu::bench

// Replacements of every global allocation function the program may call ([new.delete]).
void* operator new(size_t size) { return sfu::bench::NewOrThrow(size); }
void* operator new[](size_t size) { return sfu::bench::NewOrThrow(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  return sfu::bench::CountedMalloc(size);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return sfu::bench::CountedMalloc(size);
}
void* operator new(size_t size, std::align_val_t a) {
  return sfu::bench::AlignedNewOrThrow(size, a);
}
void* operator new[](size_t size, std::align_val_t a) {
  return sfu::bench::AlignedNewOrThrow(size, a);
}
void* operator new(size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return sfu::bench::CountedAlignedMalloc(size, static_cast<size_t>(a));
}
void* operator new[](size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  return sfu::bench::CountedAlignedMalloc(size, static_cast<size_t>(a));
}
void operator delete(void* p) noexcept { sfu::bench::CountedFree(p); }
void operator delete[](void* p) noexcept { sfu::bench::CountedFree(p); }
void operator delete(void* p, size_t) noexcept { sfu::bench::CountedFree(p); }
void operator delete[](void* p, size_t) noexcept { sfu::bench::CountedFree(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { sfu::bench::CountedFree(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { sfu::bench::CountedFree(p); }
void operator delete(void* p, std::align_val_t) noexcept { sfu::bench::CountedFree(p); }
void operator delete[](void* p, std::align_val_t) noexcept { sfu::bench::CountedFree(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { sfu::bench::CountedFree(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { sfu::bench::CountedFree(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  sfu::bench::CountedFree(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  sfu::bench::CountedFree(p);
}
