#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/types/span.h"
#include "core/sfu/media_types.h"

namespace sfu::sfu {

// What one cross-shard slot carries (DESIGN.md §2: a room spanning shards).
enum class CrossShardKind : uint8_t {
  kMedia,            // home → remote: one plaintext publisher RTP packet (`data`)
  kPublisherRtcp,    // home → remote: the publisher's plaintext compound RTCP (SR, BYE)
  kKeyframeRequest,  // remote → home: a PLI/FIR its subscribers need from `media_ssrc`
  kNack,             // remote → home: sequence numbers of `media_ssrc` the remote shard missed
};

// Large enough for any datagram a shard receives (IoBackendOptions: 2048-byte receive slots less
// their 64-byte overhead), so every plaintext RTP packet fits.
inline constexpr size_t kCrossShardMaxData = 1984;
// A kNack slot's `data` holds this many big-endian uint16 sequence numbers at most.
inline constexpr size_t kCrossShardMaxNacks = kCrossShardMaxData / 2;

// One fixed-size ring entry: metadata plus up to kCrossShardMaxData bytes. Plain bytes, so a slot
// is written in place by the producer and read in place by the consumer (no copy into or out of
// a temporary, nothing allocated).
struct CrossShardSlot {
  CrossShardKind kind = CrossShardKind::kMedia;
  uint8_t layer = 0;        // kMedia: the simulcast layer index in the home Router
  uint16_t from_shard = 0;  // the producing shard (where a kNack's retransmission goes)
  PeerId publisher = 0;     // the publisher's PeerId (also the remote shard's proxy PeerId)
  RoomId room = 0;
  TrackId track = kNoTrack;  // kMedia: the home Router's TrackId (informational)
  uint32_t media_ssrc = 0;   // kKeyframeRequest / kNack: the publisher's SSRC
  uint32_t size = 0;         // bytes of `data` used
  uint8_t data[kCrossShardMaxData];

  absl::Span<const uint8_t> bytes() const { return absl::MakeConstSpan(data, size); }
};

// A bounded single-producer/single-consumer ring of CrossShardSlots between two shard threads:
// the producer reserves the next slot, fills it in place and publishes it; the consumer reads
// the oldest slot in place and releases it. Unlike net::SpscRing (which moves whole values and
// has a compile-time size) a 100-byte audio packet costs a 100-byte copy here, not 2 KiB, and the
// capacity is chosen at run time. The head (consumer) and tail (producer) indices sit on separate
// cache lines with each side's cached copy of the other's, so the common case touches only its
// own line. Never blocks, never allocates after construction; the ring does not wake anyone.
class CrossShardRing {
 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit CrossShardRing(size_t capacity);
  CrossShardRing(const CrossShardRing&) = delete;
  CrossShardRing& operator=(const CrossShardRing&) = delete;

  size_t capacity() const { return mask_ + 1; }

  // Producer side: the slot to fill, or nullptr when the ring is full. Publish() makes it visible;
  // a reserved slot that is not published is simply reused by the next Reserve().
  CrossShardSlot* Reserve() {
    const uint64_t tail = producer_.tail.load(std::memory_order_relaxed);
    if (tail - producer_.cached_head > mask_) {
      producer_.cached_head = consumer_.head.load(std::memory_order_acquire);
      if (tail - producer_.cached_head > mask_) return nullptr;
    }
    return &slots_[tail & mask_];
  }
  void Publish() {
    producer_.tail.store(producer_.tail.load(std::memory_order_relaxed) + 1,
                         std::memory_order_release);
  }

  // Consumer side: the oldest published slot, or nullptr when empty. Valid until Release().
  const CrossShardSlot* Front() {
    const uint64_t head = consumer_.head.load(std::memory_order_relaxed);
    if (head == consumer_.cached_tail) {
      consumer_.cached_tail = producer_.tail.load(std::memory_order_acquire);
      if (head == consumer_.cached_tail) return nullptr;
    }
    return &slots_[head & mask_];
  }
  void Release() {
    consumer_.head.store(consumer_.head.load(std::memory_order_relaxed) + 1,
                         std::memory_order_release);
  }

  // Approximate from any thread; exact from the consumer when the producer is idle.
  size_t SizeApprox() const {
    return producer_.tail.load(std::memory_order_acquire) -
           consumer_.head.load(std::memory_order_acquire);
  }

 private:
  struct alignas(64) Producer {
    std::atomic<uint64_t> tail{0};
    uint64_t cached_head = 0;
  };
  struct alignas(64) Consumer {
    std::atomic<uint64_t> head{0};
    uint64_t cached_tail = 0;
  };

  size_t mask_;
  std::unique_ptr<CrossShardSlot[]> slots_;
  Producer producer_;
  Consumer consumer_;
};

}  // namespace sfu::sfu
