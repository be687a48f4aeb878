#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "absl/types/span.h"

namespace sfu::net {

// A bounded single-producer/single-consumer queue of plain structs: control thread → shard
// commands, shard → control events, and shard → shard forwarded packets (DESIGN.md §2).
//
// Exactly one thread may call the producer side (TryPush/PushBatch) and exactly one thread the
// consumer side (TryPop/PopBatch); which threads those are may differ. The head (consumer) and
// tail (producer) indices live on separate cache lines, and each side keeps a cached copy of the
// other side's index so that the common case touches only its own line. Indices grow without
// wrapping (64-bit) and are masked on access; N must be a power of two. Nothing allocates: the
// slots are an array member, so large rings belong on the heap (std::make_unique). The ring does
// not wake the consumer; pair it with a Waker.
template <typename T, size_t N>
class SpscRing {
  static_assert(N >= 2 && (N & (N - 1)) == 0, "SpscRing capacity must be a power of two");

 public:
  static constexpr size_t kCapacity = N;

  // Producer side. false when the ring is full (the value is untouched).
  bool TryPush(const T& value) { return Emplace(value); }
  bool TryPush(T&& value) { return Emplace(std::move(value)); }

  // Producer side: pushes a prefix of `values`; returns how many fit.
  size_t PushBatch(absl::Span<const T> values) {
    const uint64_t tail = producer_.tail.load(std::memory_order_relaxed);
    size_t free = N - (tail - producer_.cached_head);
    if (free < values.size()) {
      producer_.cached_head = consumer_.head.load(std::memory_order_acquire);
      free = N - (tail - producer_.cached_head);
    }
    const size_t n = std::min(free, values.size());
    for (size_t i = 0; i < n; ++i) slots_[(tail + i) & (N - 1)] = values[i];
    producer_.tail.store(tail + n, std::memory_order_release);
    return n;
  }

  // Consumer side. false when the ring is empty.
  bool TryPop(T& out) {
    const uint64_t head = consumer_.head.load(std::memory_order_relaxed);
    if (head == consumer_.cached_tail) {
      consumer_.cached_tail = producer_.tail.load(std::memory_order_acquire);
      if (head == consumer_.cached_tail) return false;
    }
    out = std::move(slots_[head & (N - 1)]);
    consumer_.head.store(head + 1, std::memory_order_release);
    return true;
  }

  // Consumer side: moves up to out.size() values into `out` with one release store; returns the
  // count.
  size_t PopBatch(absl::Span<T> out) {
    const uint64_t head = consumer_.head.load(std::memory_order_relaxed);
    size_t available = consumer_.cached_tail - head;
    if (available < out.size()) {
      consumer_.cached_tail = producer_.tail.load(std::memory_order_acquire);
      available = consumer_.cached_tail - head;
    }
    const size_t n = std::min(available, out.size());
    for (size_t i = 0; i < n; ++i) out[i] = std::move(slots_[(head + i) & (N - 1)]);
    consumer_.head.store(head + n, std::memory_order_release);
    return n;
  }

  // Approximate from any thread; exact from the consumer when the producer is idle.
  size_t SizeApprox() const {
    return producer_.tail.load(std::memory_order_acquire) -
           consumer_.head.load(std::memory_order_acquire);
  }

 private:
  template <typename U>
  bool Emplace(U&& value) {
    const uint64_t tail = producer_.tail.load(std::memory_order_relaxed);
    if (tail - producer_.cached_head == N) {
      producer_.cached_head = consumer_.head.load(std::memory_order_acquire);
      if (tail - producer_.cached_head == N) return false;
    }
    slots_[tail & (N - 1)] = std::forward<U>(value);
    producer_.tail.store(tail + 1, std::memory_order_release);
    return true;
  }

  struct alignas(64) Producer {
    std::atomic<uint64_t> tail{0};
    uint64_t cached_head = 0;  // producer's last view of consumer_.head
  };
  struct alignas(64) Consumer {
    std::atomic<uint64_t> head{0};
    uint64_t cached_tail = 0;  // consumer's last view of producer_.tail
  };

  Producer producer_;
  Consumer consumer_;
  alignas(64) std::array<T, N> slots_{};
};

}  // namespace sfu::net
