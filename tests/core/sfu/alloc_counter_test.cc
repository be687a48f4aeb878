// The one replacement of the global operator new in sfu_test, behind alloc_counter.h, plus the
// control test showing the counter sees allocations. It lives in a *_test.cc so the directory's
// glob links it into sfu_test only; the fuzzers built here keep the normal allocator.
#include "tests/core/sfu/alloc_counter.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include "gtest/gtest.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};
// Out of line so gcc does not pair an inlined malloc with free and warn about a mismatch.
[[gnu::noinline]] void Release(void* p) noexcept { std::free(p); }
}  // namespace

namespace sfu::sfu::testing_alloc {

AllocationCounter::AllocationCounter() {
  g_allocations.store(0);
  g_counting.store(true);
}
AllocationCounter::~AllocationCounter() { g_counting.store(false); }
uint64_t AllocationCounter::count() const { return g_allocations.load(); }

}  // namespace sfu::sfu::testing_alloc

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, std::size_t) noexcept { Release(p); }
void operator delete[](void* p, std::size_t) noexcept { Release(p); }

namespace sfu::sfu::testing_alloc {
namespace {

TEST(AllocationCounterTest, CountsOnlyInsideTheScope) {
  auto* before = new std::vector<int>(10);  // not counted: no counter alive
  uint64_t n;
  {
    AllocationCounter counter;
    EXPECT_EQ(counter.count(), 0u);
    auto* v = new std::vector<int>(10);
    delete v;
    n = counter.count();
  }
  delete before;
  EXPECT_GE(n, 2u);  // the vector object and its buffer
}

}  // namespace
}  // namespace sfu::sfu::testing_alloc
