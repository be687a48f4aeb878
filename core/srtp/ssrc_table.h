#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace sfu::srtp {

// Per-SSRC state of one SRTP session, bounded: the table is sized for `capacity` entries up front
// and refuses more, so the packet path never allocates or rehashes. Entries are never erased, which
// keeps pointers to them stable; the last SSRC looked up is remembered because a burst usually
// carries one SSRC. Owned by its session; not thread-safe.
template <typename State>
class SsrcTable {
 public:
  SsrcTable() = default;
  // Room for a few streams up front (audio, video, their RTX, a report-only SSRC); more, up to
  // `capacity`, are added as they appear. Reserving all of `capacity` cost every session ~19 KiB
  // of replay windows it never used. Growing can rehash, which is why no State* is kept across a
  // Create (last_ is re-pointed by it).
  explicit SsrcTable(size_t capacity) : capacity_(capacity) {
    map_.reserve(std::min<size_t>(capacity, kInitialStreams));
  }
  static constexpr size_t kInitialStreams = 6;
  // Moving keeps the entries; the cached pointer is dropped rather than trusted.
  SsrcTable(SsrcTable&& other) noexcept : map_(std::move(other.map_)), capacity_(other.capacity_) {
    other.last_ = nullptr;
  }
  SsrcTable& operator=(SsrcTable&& other) noexcept {
    map_ = std::move(other.map_);
    capacity_ = other.capacity_;
    last_ = nullptr;
    other.last_ = nullptr;
    return *this;
  }

  // The state for `ssrc`, or nullptr if it has none.
  State* Find(uint32_t ssrc) {
    if (last_ != nullptr && last_ssrc_ == ssrc) return last_;
    auto it = map_.find(ssrc);
    if (it == map_.end()) return nullptr;
    return Remember(ssrc, &it->second);
  }
  // A fresh state for an `ssrc` that has none; nullptr if the table is full.
  State* Create(uint32_t ssrc) {
    if (full()) return nullptr;
    return Remember(ssrc, &map_.try_emplace(ssrc).first->second);
  }
  State* FindOrCreate(uint32_t ssrc) {
    State* state = Find(ssrc);
    return state != nullptr ? state : Create(ssrc);
  }

  bool full() const { return map_.size() >= capacity_; }
  size_t size() const { return map_.size(); }

 private:
  State* Remember(uint32_t ssrc, State* state) {
    last_ssrc_ = ssrc;
    last_ = state;
    return state;
  }

  absl::flat_hash_map<uint32_t, State> map_;
  size_t capacity_ = 0;
  uint32_t last_ssrc_ = 0;
  State* last_ = nullptr;
};

}  // namespace sfu::srtp
