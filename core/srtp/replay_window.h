#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sfu::srtp {

// What a replay window says about an index.
enum class ReplayVerdict : uint8_t { kNew, kReplay, kTooOld };

// Sliding-window replay protection (RFC 3711 §3.3.2) over packet indices: the highest index
// accepted so far plus a bitmap of which of the kBits indices ending there were seen. The bitmap is
// a ring indexed by `index % kBits`, so sliding forward clears only the bits that fall out instead
// of shifting the whole map. Check() is read-only; the session calls Accept() only after the packet
// authenticated, so forged packets never move the window. Plain value type, owned by one SSRC's
// state; not thread-safe.
template <size_t kBits>
class ReplayWindow {
  static_assert(kBits >= 128 && kBits % 64 == 0, "window is whole 64-bit words, at least 128");

 public:
  using Verdict = ReplayVerdict;

  bool empty() const { return !has_top_; }
  // The highest accepted index; meaningful only when !empty().
  uint64_t top() const { return top_; }

  Verdict Check(uint64_t index) const {
    if (!has_top_ || index > top_) return Verdict::kNew;
    if (top_ - index >= kBits) return Verdict::kTooOld;
    return TestBit(index) ? Verdict::kReplay : Verdict::kNew;
  }

  // Records `index`, which Check() found kNew.
  void Accept(uint64_t index) {
    if (!has_top_) {
      bits_.fill(0);
      has_top_ = true;
      top_ = index;
    } else if (index > top_) {
      ClearRange(top_ + 1, index - top_);
      top_ = index;
    }
    bits_[Word(index)] |= uint64_t{1} << Bit(index);
  }

 private:
  static constexpr size_t kWords = kBits / 64;
  static size_t Word(uint64_t index) { return (index % kBits) / 64; }
  static unsigned Bit(uint64_t index) { return static_cast<unsigned>(index % 64); }
  bool TestBit(uint64_t index) const { return (bits_[Word(index)] >> Bit(index)) & 1; }

  // Forgets `count` indices starting at `first` (they are newer than anything seen).
  void ClearRange(uint64_t first, uint64_t count) {
    if (count == 1) {  // in-order arrival, the common case
      bits_[Word(first)] &= ~(uint64_t{1} << Bit(first));
      return;
    }
    if (count >= kBits) {
      bits_.fill(0);
      return;
    }
    size_t pos = static_cast<size_t>(first % kBits);
    while (count > 0) {
      const unsigned bit = static_cast<unsigned>(pos % 64);
      const uint64_t n = count < 64 - bit ? count : 64 - bit;
      const uint64_t mask = n == 64 ? ~uint64_t{0} : ((uint64_t{1} << n) - 1) << bit;
      bits_[pos / 64] &= ~mask;
      pos = (pos + n) % kBits;
      count -= n;
    }
  }

  std::array<uint64_t, kWords> bits_{};
  uint64_t top_ = 0;
  bool has_top_ = false;
};

}  // namespace sfu::srtp
