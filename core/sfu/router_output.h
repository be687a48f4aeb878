#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "core/sfu/media_types.h"

namespace sfu::sfu {

enum class OutputKind : uint8_t {
  kRtp,          // a plaintext RTP packet for `peer`; the caller SRTP-protects and sends it
  kRtcp,         // a plaintext compound RTCP packet for `peer`; the caller SRTCP-protects it
  kRemoteShard,  // a publisher's plaintext RTP packet, once, for the subscribers on `shard`
};

// One thing the Router wants sent. The bytes live in the OutputBatch's arena.
struct RouterOutput {
  OutputKind kind = OutputKind::kRtp;
  PeerId peer = 0;     // kRtp / kRtcp: the destination peer; kRemoteShard: the publisher
  uint16_t shard = 0;  // kRemoteShard: the destination shard index
  RoomId room = 0;     // kRemoteShard: the room and publisher track the packet belongs to
  TrackId track = kNoTrack;
  uint8_t layer = 0;  // kRemoteShard: the simulcast layer index within the track
  uint32_t offset = 0;
  uint32_t size = 0;
};

// A caller-owned, pre-sized batch of outputs: a fixed array of RouterOutput records and one byte
// arena. The Router appends to it; the caller drains it (encrypt, send), then Clear()s it. Nothing
// grows after construction: when the records or the arena run out, the Router counts the packet as
// dropped (RouterStats::dropped_output_full) instead of allocating.
//
// Every packet is followed by `tailroom` spare arena bytes so the caller can SRTP-protect it in
// place (auth tag, SRTCP index) without another copy: bytes_with_tailroom(o) covers them.
// Thread-compatible; spans into the arena stay valid until Clear() or destruction.
class OutputBatch {
 public:
  OutputBatch(size_t max_outputs, size_t arena_bytes, size_t tailroom = 32);

  void Clear() {
    count_ = 0;
    used_ = 0;
  }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  size_t capacity() const { return outputs_.size(); }
  // Arena bytes not yet used (each output takes its size plus the tailroom).
  size_t arena_free() const { return arena_.size() - used_; }
  const RouterOutput& operator[](size_t i) const { return outputs_[i]; }
  absl::Span<uint8_t> bytes(const RouterOutput& o) {
    return absl::MakeSpan(arena_).subspan(o.offset, o.size);
  }
  absl::Span<const uint8_t> bytes(const RouterOutput& o) const {
    return absl::MakeConstSpan(arena_).subspan(o.offset, o.size);
  }
  absl::Span<uint8_t> bytes_with_tailroom(const RouterOutput& o) {
    return absl::MakeSpan(arena_).subspan(o.offset, o.size + tailroom_);
  }
  size_t tailroom() const { return tailroom_; }

  // Producer side (the Router). Begin returns writable space of at least `max_size` bytes at the
  // arena's end, or an empty span when the batch is full; Commit records `size` of them (<=
  // max_size) as one output whose offset and size are filled in here.
  absl::Span<uint8_t> Begin(size_t max_size);
  void Commit(RouterOutput header, size_t size);

 private:
  std::vector<RouterOutput> outputs_;
  std::vector<uint8_t> arena_;
  size_t tailroom_;
  size_t count_ = 0;
  size_t used_ = 0;
};

}  // namespace sfu::sfu
