#pragma once

#include <cstdint>

#include "core/common/instant.h"
#include "core/rtp/rtcp_report.h"

namespace sfu::sfu {

// Reception statistics of one received RTP stream, the inputs of an RTCP report block
// (RFC 3550 §6.4.1): packets expected and lost since the start and since the previous report
// (Appendix A.3), and the interarrival jitter (Appendix A.8) in RTP timestamp units, computed from
// arrival Instants converted to the stream's clock. Thread-compatible; one per received SSRC.
class ReceiveStatistics {
 public:
  explicit ReceiveStatistics(uint32_t clock_rate) : clock_rate_(clock_rate) {}

  // `index` is the unwrapped sequence number (SeqNumUnwrapper). Jitter is only fed by packets
  // that are not retransmissions (a retransmission's transit time says nothing about the path's
  // jitter), which `update_jitter` says.
  void OnPacket(int64_t index, uint32_t rtp_timestamp, Instant arrival, bool update_jitter);

  bool started() const { return started_; }
  // Fills fraction_lost, cumulative_lost, extended_highest_seq and jitter of `block` and starts a
  // new reporting interval (the "prior" counters of A.3).
  void FillReportBlock(rtp::ReportBlock* block);

  uint32_t jitter() const { return static_cast<uint32_t>(jitter_q4_ >> 4); }
  int64_t expected() const { return started_ ? highest_ - base_ + 1 : 0; }
  int64_t received() const { return received_; }
  uint32_t clock_rate() const { return clock_rate_; }

 private:
  uint32_t clock_rate_;
  bool started_ = false;
  int64_t base_ = 0;
  int64_t highest_ = 0;
  int64_t received_ = 0;
  int64_t expected_prior_ = 0;
  int64_t received_prior_ = 0;
  // Arrival times are measured from the first packet's, in RTP units (A.8's "arrival").
  Instant first_arrival_;
  bool have_transit_ = false;
  int64_t transit_ = 0;
  // The jitter estimate scaled by 16, as A.8's integer form keeps it.
  int64_t jitter_q4_ = 0;
};

// `d` converted to ticks of a `clock_rate` Hz clock, rounded down (no overflow for days).
int64_t DurationToRtpTicks(Duration d, uint32_t clock_rate);

}  // namespace sfu::sfu
