#pragma once

#include <cstdint>

namespace sfu::dtls {

// The anti-replay sliding window of RFC 6347 §4.1.2.6 (64 records), one per epoch. Check first,
// and Accept only after the record authenticated, so forged records cannot move the window.
// A trivially copyable value.
class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 64;
  // False if `seq` was already accepted or is older than the window.
  bool IsFresh(uint64_t seq) const;
  void Accept(uint64_t seq);
  uint64_t highest() const { return highest_; }

 private:
  uint64_t highest_ = 0;
  uint64_t bitmap_ = 0;  // bit i: highest_ - i accepted
  bool any_ = false;
};

}  // namespace sfu::dtls
