#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "core/dtls/handshake_header.h"

namespace sfu::dtls {

// A complete, reassembled handshake message, handed out in message_seq order.
struct HandshakeMessage {
  HandshakeType type = HandshakeType::kHelloRequest;
  uint16_t message_seq = 0;
  uint16_t epoch = 0;  // the epoch its fragments arrived in
  std::vector<uint8_t> body;
};

// Reassembles the peer's handshake messages (RFC 6347 §4.2.3): fragments in any order,
// overlapping or duplicated, several messages of a flight ahead of the one expected next. Hard
// caps bound memory: total bytes of buffered messages and number of fragments held. A fragment
// that disagrees with earlier ones about its message's type, length or epoch is dropped.
// Owned by one endpoint for the handshake only.
class FragmentBuffer {
 public:
  // How far ahead of the next expected message_seq fragments are kept (a flight has at most five
  // messages).
  static constexpr uint16_t kWindow = 8;

  enum class Result : uint8_t {
    kBuffered,      // stored (or already covered)
    kOld,           // message_seq already delivered: the peer is retransmitting
    kTooFarAhead,   // beyond the window
    kInconsistent,  // type/length/epoch differ from earlier fragments of the message
    kTooLong,       // the message is longer than the caps allow
    kBufferFull,    // byte or fragment cap reached
  };

  FragmentBuffer(size_t max_bytes, size_t max_fragments)
      : max_bytes_(max_bytes), max_fragments_(max_fragments) {}

  // Starts expecting `message_seq` next (a server endpoint starts at the ClientHello's).
  void set_next_seq(uint16_t message_seq) { next_seq_ = message_seq; }
  uint16_t next_seq() const { return next_seq_; }

  Result Insert(const HandshakeFragment& fragment, uint16_t epoch);
  // The next message if all of it has arrived; advances next_seq().
  std::optional<HandshakeMessage> Pop();
  // Drops everything buffered (a fatal error, or the handshake is over).
  void Clear();

  size_t buffered_bytes() const { return buffered_bytes_; }
  size_t buffered_fragments() const { return fragment_count_; }

 private:
  struct Range {
    uint32_t begin;
    uint32_t end;
  };
  struct Pending {
    uint16_t message_seq;
    uint8_t type;
    uint16_t epoch;
    uint32_t length;
    std::vector<uint8_t> body;
    std::vector<Range> received;  // sorted, disjoint, merged
    bool complete() const {
      return length == 0 ||
             (received.size() == 1 && received[0].begin == 0 && received[0].end == length);
    }
  };
  Pending* Find(uint16_t message_seq);
  static void AddRange(std::vector<Range>& ranges, Range r);

  size_t max_bytes_;
  size_t max_fragments_;
  uint16_t next_seq_ = 0;
  size_t buffered_bytes_ = 0;
  size_t fragment_count_ = 0;
  std::vector<Pending> pending_;
};

}  // namespace sfu::dtls
