#include "core/sfu/media_types.h"

#include "absl/strings/match.h"

namespace sfu::sfu {

Codec CodecFromName(std::string_view name) {
  if (absl::EqualsIgnoreCase(name, "opus")) return Codec::kOpus;
  if (absl::EqualsIgnoreCase(name, "VP8")) return Codec::kVp8;
  if (absl::EqualsIgnoreCase(name, "VP9")) return Codec::kVp9;
  if (absl::EqualsIgnoreCase(name, "H264")) return Codec::kH264;
  if (absl::EqualsIgnoreCase(name, "AV1")) return Codec::kAv1;
  return Codec::kOther;
}

}  // namespace sfu::sfu
