#pragma once

#include <cstdint>

namespace sfu::sfu {

// The ShardEngine's counters, declared once (STYLE.md "Metrics") and expanded into ShardStats; a
// metrics exposer expands the same lists into metric names and help strings. Single writer: the
// shard thread that owns the engine. The Router's own counters are in router_stats.h, and the
// per-session ICE/DTLS/SRTP counters stay with those objects.
//
// X(name, help). Counters only ever grow.
#define SFU_SHARD_COUNTERS(X)                                                                    \
  X(datagrams_in, "datagrams handed to HandleDatagram")                                          \
  X(bytes_in, "bytes handed to HandleDatagram")                                                  \
  X(stun_in, "datagrams classified as STUN (RFC 7983)")                                          \
  X(stun_bytes_in, "bytes of STUN datagrams")                                                    \
  X(dtls_in, "datagrams classified as DTLS")                                                     \
  X(dtls_bytes_in, "bytes of DTLS datagrams")                                                    \
  X(rtp_in, "datagrams classified as SRTP")                                                      \
  X(rtp_bytes_in, "bytes of SRTP datagrams")                                                     \
  X(rtcp_in, "datagrams classified as SRTCP")                                                    \
  X(rtcp_bytes_in, "bytes of SRTCP datagrams")                                                   \
  X(datagrams_out, "datagrams queued for sending")                                               \
  X(bytes_out, "bytes queued for sending")                                                       \
  X(stun_out, "STUN responses queued")                                                           \
  X(stun_bytes_out, "bytes of STUN responses")                                                   \
  X(dtls_out, "DTLS datagrams queued (flights, HelloVerifyRequests, alerts)")                    \
  X(dtls_bytes_out, "bytes of DTLS datagrams")                                                   \
  X(rtp_out, "SRTP packets queued")                                                              \
  X(rtp_bytes_out, "bytes of SRTP packets")                                                      \
  X(rtcp_out, "SRTCP packets queued")                                                            \
  X(rtcp_bytes_out, "bytes of SRTCP packets")                                                    \
  X(drop_malformed, "neither STUN, DTLS, RTP nor RTCP (RFC 7983), or STUN framing wrong")        \
  X(drop_unknown_5tuple, "DTLS/SRTP from a 5-tuple that never passed a STUN check")              \
  X(drop_unknown_ufrag, "STUN from a new 5-tuple whose USERNAME names no session here")          \
  X(drop_stun_auth, "STUN check with a wrong USERNAME or a missing/bad MESSAGE-INTEGRITY")       \
  X(drop_stun_other, "STUN not answered for another reason (not a request, bad FINGERPRINT...)") \
  X(drop_dtls_initial, "first DTLS datagrams that opened no handshake (not a ClientHello...)")   \
  X(drop_not_connected, "SRTP/SRTCP before the DTLS handshake completed")                        \
  X(drop_srtp_auth, "SRTP/SRTCP whose authentication tag did not verify")                        \
  X(drop_srtp_replay, "SRTP/SRTCP replayed or older than the replay window")                     \
  X(drop_srtp_malformed, "SRTP/SRTCP too short or with a bad header")                            \
  X(drop_srtp_other, "SRTP/SRTCP refused for another reason (SSRC cap, index exhausted)")        \
  X(drop_queue_full, "an output that found the transmit queue or its arena full")                \
  X(drop_out_not_connected, "a Router output for a peer that cannot be sent to yet")             \
  X(drop_out_protect_failed, "a Router output the subscriber's SRTP session refused")            \
  X(drop_out_remote_shard, "a cross-shard hand-off not made (ring full, no ring, too large)")    \
  X(events_dropped, "control-thread events lost to a full event queue")                          \
  X(handshakes_started, "DTLS server endpoints created (a ClientHello with a valid cookie)")     \
  X(hello_verify_requests, "stateless HelloVerifyRequests sent (RFC 6347 §4.2.1)")               \
  X(handshakes_succeeded, "DTLS handshakes completed with SRTP keys")                            \
  X(handshakes_failed_timeout, "DTLS handshakes that ran out of retransmissions")                \
  X(handshakes_failed_certificate, "DTLS handshakes failed on the SDP fingerprint/certificate")  \
  X(handshakes_failed_peer_alert, "DTLS handshakes the peer aborted with an alert")              \
  X(handshakes_failed_other, "DTLS handshakes failed for another protocol reason")               \
  X(handshakes_failed_srtp_keys, "completed handshakes whose SRTP keys could not be set up")     \
  X(peers_added, "AddPeer commands accepted")                                                    \
  X(peers_rejected, "AddPeer commands refused (duplicate, capacity, bad config)")                \
  X(peers_removed, "peers removed, for every reason (one PeerRemoved event each)")               \
  X(ice_selected, "tuples nominated by a peer (PeerIceSelected events)")                         \
  X(timer_compactions, "rebuilds of the timer heap to shed stale entries")

// X(name, help). Gauges: the current number of peers in each state.
#define SFU_SHARD_GAUGES(X)                                                   \
  X(peers_new, "peers waiting for their first valid STUN check")              \
  X(peers_ice_connected, "peers with a bound 5-tuple, DTLS not yet complete") \
  X(peers_dtls_connected, "peers with SRTP keys (media flows)")               \
  X(bound_tuples, "5-tuples in the connection table")

struct ShardStats {
#define SFU_SHARD_STATS_FIELD(name, help) uint64_t name = 0;
  SFU_SHARD_COUNTERS(SFU_SHARD_STATS_FIELD)
  SFU_SHARD_GAUGES(SFU_SHARD_STATS_FIELD)
#undef SFU_SHARD_STATS_FIELD
};

}  // namespace sfu::sfu
