#include "core/sdp/codec_match.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "core/sdp/sdp_attributes.h"

namespace sfu::sdp {
namespace {

std::optional<std::string_view> LocalParam(const LocalCodec& c, std::string_view key) {
  for (const FormatParameter& p : c.fmtp) {
    if (internal::EqualsIgnoreCase(p.key, key)) return std::string_view(p.value);
  }
  return std::nullopt;
}

std::string_view OfferedParam(const Fmtp* f, std::string_view key, std::string_view fallback) {
  if (f == nullptr) return fallback;
  return f->Get(key).value_or(fallback);
}

// A parameter that must be equal on both sides, with `fallback` where a side omits it.
bool SameParam(const LocalCodec& local, const Fmtp* offered, std::string_view key,
               std::string_view fallback) {
  std::string_view ours = LocalParam(local, key).value_or(fallback);
  return OfferedParam(offered, key, fallback) == ours;
}

}  // namespace

std::optional<H264Profile> ParseH264Profile(std::string_view profile_level_id) {
  if (profile_level_id.size() != 6) return std::nullopt;
  for (char c : profile_level_id) {
    if (!absl::ascii_isxdigit(c)) return std::nullopt;
  }
  uint32_t value = 0;
  if (!absl::SimpleHexAtoi(internal::Absl(profile_level_id), &value)) return std::nullopt;
  const uint8_t profile_idc = static_cast<uint8_t>(value >> 16);
  const uint8_t iop = static_cast<uint8_t>(value >> 8);
  // RFC 6184 §8.1, Table 5: constraint_set0..2 flags in the top bits of profile-iop.
  switch (profile_idc) {
    case 0x42:
      return (iop & 0x40) ? H264Profile::kConstrainedBaseline : H264Profile::kBaseline;
    case 0x4D:
      return (iop & 0x80) ? H264Profile::kConstrainedBaseline : H264Profile::kMain;
    case 0x58:
      if ((iop & 0xC0) == 0xC0) return H264Profile::kConstrainedBaseline;
      return (iop & 0x80) ? H264Profile::kBaseline : H264Profile::kExtended;
    case 0x64:
      return (iop & 0x0C) == 0x0C ? H264Profile::kConstrainedHigh : H264Profile::kHigh;
    default:
      return H264Profile::kOther;
  }
}

bool CodecMatches(const LocalCodec& local, const RtpMap& offered, const Fmtp* offered_fmtp) {
  if (!internal::EqualsIgnoreCase(local.name, offered.encoding)) return false;
  if (local.clock_rate != offered.clock_rate) return false;
  if (local.kind == MediaKind::kAudio) {
    // RFC 8866 §6.6: an omitted channel count means one channel.
    const uint16_t ours = local.channels == 0 ? 1 : local.channels;
    const uint16_t theirs = offered.channels == 0 ? 1 : offered.channels;
    if (ours != theirs) return false;
  }
  if (internal::EqualsIgnoreCase(local.name, "H264")) {
    // RFC 6184 §8.1: packetization-mode defaults to 0, profile-level-id to 42000A.
    if (!SameParam(local, offered_fmtp, "packetization-mode", "0")) return false;
    auto ours = ParseH264Profile(LocalParam(local, "profile-level-id").value_or("42000a"));
    auto theirs = ParseH264Profile(OfferedParam(offered_fmtp, "profile-level-id", "42000a"));
    return ours && theirs && *ours == *theirs && *ours != H264Profile::kOther;
  }
  if (internal::EqualsIgnoreCase(local.name, "VP9")) {
    return SameParam(local, offered_fmtp, "profile-id", "0");  // RFC 9628 §6
  }
  if (internal::EqualsIgnoreCase(local.name, "AV1")) {
    return SameParam(local, offered_fmtp, "profile", "0");  // AV1 RTP spec §7.2
  }
  return true;
}

}  // namespace sfu::sdp
