#include "core/sdp/negotiated.h"

namespace sfu::sdp {

const NegotiatedCodec* NegotiatedMedia::FindCodec(uint8_t pt) const {
  for (const NegotiatedCodec& c : codecs) {
    if (c.pt == pt) return &c;
  }
  return nullptr;
}

std::optional<uint8_t> NegotiatedMedia::ExtensionId(std::string_view uri) const {
  for (const NegotiatedExtension& e : extensions) {
    if (e.uri == uri) return e.id;
  }
  return std::nullopt;
}

const NegotiatedMedia* NegotiatedSession::FindMedia(std::string_view mid) const {
  for (const NegotiatedMedia& m : media) {
    if (m.mid == mid) return &m;
  }
  return nullptr;
}

}  // namespace sfu::sdp
