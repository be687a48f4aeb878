#pragma once

#include <cstdint>

namespace sfu::srtp {

// SRTP packet index = 2^16 * ROC + SEQ (RFC 3711 §3.3.1), a 48-bit number.
inline constexpr uint64_t kMaxSrtpIndex = (uint64_t{1} << 48) - 1;
// SRTCP index is 31 bits (RFC 3711 §3.4).
inline constexpr uint32_t kMaxSrtcpIndex = 0x7fffffff;

// Estimates the index of a packet carrying `seq` given the highest index seen so far on the
// stream, per RFC 3711 §3.3.1 and Appendix A: the candidate ROC is the current one, one less (a
// late packet from before the last wrap) or one more (the sequence number just wrapped), whichever
// puts the packet nearest s_l. Two boundary cases the RFC leaves open:
//  - ROC would be -1 (no wrap has happened yet): the packet cannot be from before ROC 0, so it is
//    taken as ROC 0, as libsrtp2 does; the replay window then judges it.
//  - ROC would pass 2^32 - 1: the 48-bit index space is exhausted; returns false (the stream must
//    be re-keyed, RFC 3711 §9.2).
constexpr bool EstimateSrtpIndex(uint64_t highest_index, uint16_t seq, uint64_t* index) {
  const int64_t roc = static_cast<int64_t>(highest_index >> 16);
  const int32_t s_l = static_cast<int32_t>(highest_index & 0xffff);
  const int32_t s = seq;
  int64_t v = roc;
  if (s_l < 32768) {
    if (s - s_l > 32768) v = roc - 1;
  } else {
    if (s_l - 32768 > s) v = roc + 1;
  }
  if (v < 0) v = 0;
  if (v > 0xffffffff) return false;
  *index = (static_cast<uint64_t>(v) << 16) | seq;
  return true;
}

}  // namespace sfu::srtp
