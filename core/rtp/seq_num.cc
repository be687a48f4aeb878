#include "core/rtp/seq_num.h"

namespace sfu::rtp {

int64_t SeqNumUnwrapper::Unwrap(uint16_t seq) {
  if (!started_) {
    started_ = true;
    highest_ = seq;
    return highest_;
  }
  const uint16_t highest16 = static_cast<uint16_t>(highest_ & 0xFFFF);
  const uint16_t forward = static_cast<uint16_t>(seq - highest16);
  const uint16_t backward = static_cast<uint16_t>(highest16 - seq);

  if (forward < max_dropout_) {  // in order, possibly with a gap (forward == 0: duplicate)
    have_bad_seq_ = false;
    highest_ += forward;
    return highest_;
  }
  if (backward <= max_late_) {  // late, duplicated or retransmitted
    return highest_ - backward;
  }
  // A large jump. RFC 3550 A.1: accept it only when the next packet continues from it.
  if (have_bad_seq_ && seq == bad_seq_) {
    have_bad_seq_ = false;
    highest_ += forward;  // always forward: keeps the index increasing after a restart
    return highest_;
  }
  have_bad_seq_ = true;
  bad_seq_ = static_cast<uint16_t>(seq + 1);
  return highest_ + SeqDelta(seq, highest16);
}

}  // namespace sfu::rtp
