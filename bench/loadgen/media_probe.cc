#include "bench/loadgen/media_probe.h"

#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"

namespace sfu::loadgen {

bool MediaProbe::WriteTo(absl::Span<uint8_t> out) const {
  if (out.size() != kSize) return false;
  ByteWriter w(out);
  w.WriteU32(kMagic);
  w.WriteU32(stream_id);
  w.WriteU32(sequence);
  w.WriteU64(static_cast<uint64_t>(send_ns));
  return w.ok();
}

std::optional<MediaProbe> MediaProbe::ReadFrom(absl::Span<const uint8_t> payload) {
  if (payload.size() < kSize) return std::nullopt;
  ByteReader r(payload.subspan(payload.size() - kSize));
  uint32_t magic = 0;
  MediaProbe probe;
  uint64_t send = 0;
  if (!r.ReadU32(&magic) || magic != kMagic || !r.ReadU32(&probe.stream_id) ||
      !r.ReadU32(&probe.sequence) || !r.ReadU64(&send)) {
    return std::nullopt;
  }
  probe.send_ns = static_cast<int64_t>(send);
  return probe;
}

}  // namespace sfu::loadgen
