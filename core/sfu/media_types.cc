#include "core/sfu/media_types.h"

#include <cctype>

namespace sfu::sfu {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Codec CodecFromName(std::string_view name) {
  if (EqualsIgnoreCase(name, "opus")) return Codec::kOpus;
  if (EqualsIgnoreCase(name, "VP8")) return Codec::kVp8;
  if (EqualsIgnoreCase(name, "VP9")) return Codec::kVp9;
  if (EqualsIgnoreCase(name, "H264")) return Codec::kH264;
  if (EqualsIgnoreCase(name, "AV1")) return Codec::kAv1;
  return Codec::kOther;
}

}  // namespace sfu::sfu
