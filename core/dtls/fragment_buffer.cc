#include "core/dtls/fragment_buffer.h"

#include <algorithm>
#include <utility>

namespace sfu::dtls {

FragmentBuffer::Pending* FragmentBuffer::Find(uint16_t message_seq) {
  for (Pending& p : pending_) {
    if (p.message_seq == message_seq) return &p;
  }
  return nullptr;
}

void FragmentBuffer::AddRange(std::vector<Range>& ranges, Range r) {
  // Insert, then merge neighbours that touch or overlap.
  auto it = std::lower_bound(ranges.begin(), ranges.end(), r,
                             [](const Range& a, const Range& b) { return a.begin < b.begin; });
  ranges.insert(it, r);
  std::vector<Range> merged;
  merged.reserve(ranges.size());
  for (const Range& x : ranges) {
    if (!merged.empty() && x.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, x.end);
    } else {
      merged.push_back(x);
    }
  }
  ranges = std::move(merged);
}

FragmentBuffer::Result FragmentBuffer::Insert(const HandshakeFragment& fragment, uint16_t epoch) {
  // Serial arithmetic is not needed: a handshake uses a handful of message_seq values from 0.
  if (fragment.message_seq < next_seq_) return Result::kOld;
  if (fragment.message_seq - next_seq_ >= kWindow) return Result::kTooFarAhead;
  if (fragment.length > kMaxHandshakeMessageLength || fragment.length > max_bytes_) {
    return Result::kTooLong;
  }
  if (fragment.fragment_offset + fragment.fragment_length > fragment.length) {
    return Result::kTooLong;  // ParseHandshakeFragment already rejects this; defence in depth
  }
  Pending* p = Find(fragment.message_seq);
  if (p == nullptr) {
    if (buffered_bytes_ + fragment.length > max_bytes_) return Result::kBufferFull;
    if (fragment_count_ + 1 > max_fragments_) return Result::kBufferFull;
    pending_.push_back(Pending{fragment.message_seq,
                               fragment.type,
                               epoch,
                               fragment.length,
                               std::vector<uint8_t>(fragment.length),
                               {}});
    p = &pending_.back();
    buffered_bytes_ += fragment.length;
  } else {
    if (p->type != fragment.type || p->length != fragment.length || p->epoch != epoch) {
      return Result::kInconsistent;
    }
    if (p->complete()) return Result::kBuffered;  // a duplicate of a finished message
  }
  if (fragment.fragment_length == 0) return Result::kBuffered;
  // The fragment cap counts disjoint byte ranges held, so retransmitted or overlapping fragments
  // cost nothing while scattered slivers are bounded.
  std::vector<Range> ranges = p->received;
  AddRange(ranges,
           Range{fragment.fragment_offset, fragment.fragment_offset + fragment.fragment_length});
  const size_t new_count = fragment_count_ - p->received.size() + ranges.size();
  if (new_count > max_fragments_) return Result::kBufferFull;
  std::copy(fragment.body.begin(), fragment.body.end(), p->body.begin() + fragment.fragment_offset);
  p->received = std::move(ranges);
  fragment_count_ = new_count;
  return Result::kBuffered;
}

std::optional<HandshakeMessage> FragmentBuffer::Pop() {
  for (size_t i = 0; i < pending_.size(); ++i) {
    Pending& p = pending_[i];
    if (p.message_seq != next_seq_) continue;
    if (!p.complete()) return std::nullopt;
    HandshakeMessage message{static_cast<HandshakeType>(p.type), p.message_seq, p.epoch,
                             std::move(p.body)};
    buffered_bytes_ -= p.length;
    fragment_count_ -= p.received.size();
    pending_.erase(pending_.begin() + static_cast<ptrdiff_t>(i));
    ++next_seq_;
    return message;
  }
  return std::nullopt;
}

void FragmentBuffer::Clear() {
  std::vector<Pending>().swap(pending_);
  buffered_bytes_ = 0;
  fragment_count_ = 0;
}

}  // namespace sfu::dtls
