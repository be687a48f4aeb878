#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace sfu::loadgen {

// The datagrams a simulated peer wants sent, in order. One Outbox belongs to a loop thread, not
// to a peer: thousands of peers share it, and the driver flushes it to the peer's socket after
// every call into that peer (so a peer never sees another's datagrams). Storage is allocated once
// (slots x slot_size); a peer that finds it full drops the datagram and the overflow is counted,
// which a correctly sized Outbox never shows. Thread-compatible.
class Outbox {
 public:
  explicit Outbox(size_t slots = 256, size_t slot_size = 1536)
      : storage_(slots * slot_size), sizes_(slots), slot_size_(slot_size) {}

  // A writable buffer for the next datagram, or an empty span when every slot is taken.
  absl::Span<uint8_t> Begin() {
    if (count_ == sizes_.size()) {
      ++overflows_;
      return {};
    }
    return absl::MakeSpan(storage_.data() + count_ * slot_size_, slot_size_);
  }
  // Queues the first `len` bytes of the buffer Begin() returned (len <= slot size).
  void Commit(size_t len) {
    if (count_ < sizes_.size() && len <= slot_size_) sizes_[count_++] = len;
  }
  // Copies `bytes` into the next slot; false (and counted) if full or too large.
  bool Push(absl::Span<const uint8_t> bytes) {
    absl::Span<uint8_t> slot = Begin();
    if (slot.size() < bytes.size() || slot.empty()) return false;
    for (size_t i = 0; i < bytes.size(); ++i) slot[i] = bytes[i];
    Commit(bytes.size());
    return true;
  }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  absl::Span<const uint8_t> datagram(size_t i) const {
    return absl::MakeConstSpan(storage_.data() + i * slot_size_, sizes_[i]);
  }
  void Clear() { count_ = 0; }
  size_t slot_size() const { return slot_size_; }
  size_t capacity() const { return sizes_.size(); }
  uint64_t overflows() const { return overflows_; }

 private:
  std::vector<uint8_t> storage_;
  std::vector<size_t> sizes_;
  size_t slot_size_;
  size_t count_ = 0;
  uint64_t overflows_ = 0;
};

}  // namespace sfu::loadgen
