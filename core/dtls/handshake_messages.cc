#include "core/dtls/handshake_messages.h"

#include <array>

namespace sfu::dtls {

namespace {

constexpr uint16_t kDtls12 = 0xFEFD;
constexpr uint8_t kPointFormatUncompressed = 0;

constexpr std::array<uint16_t, 5> kAcceptedSchemes = {0x0403, 0x0503, 0x0804, 0x0401, 0x0501};

bool ReadU16List(ByteReader& r, U16List* out) {
  ByteReader list;
  if (!r.ReadPrefixed16(&list) || list.Remaining() % 2 != 0) return false;
  *out = U16List(list.ReadRemaining());
  return true;
}

// Walks an extensions block, calling `on_extension(type, reader)` for each; fails on a duplicate
// of a known extension (RFC 5246 §7.4.1.4) or a malformed block.
template <typename F>
bool ForEachExtension(ByteReader& r, F on_extension) {
  if (r.empty()) return true;  // extensions are optional
  ByteReader block;
  if (!r.ReadPrefixed16(&block)) return false;
  uint32_t seen = 0;
  while (!block.empty()) {
    uint16_t type = 0;
    ByteReader data;
    if (!block.ReadU16(&type) || !block.ReadPrefixed16(&data)) return false;
    int bit = -1;
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::kSupportedGroups:
        bit = 0;
        break;
      case ExtensionType::kEcPointFormats:
        bit = 1;
        break;
      case ExtensionType::kSignatureAlgorithms:
        bit = 2;
        break;
      case ExtensionType::kUseSrtp:
        bit = 3;
        break;
      case ExtensionType::kExtendedMasterSecret:
        bit = 4;
        break;
      case ExtensionType::kRenegotiationInfo:
        bit = 5;
        break;
      case ExtensionType::kSessionTicket:
        bit = 6;
        break;
      case ExtensionType::kSupportedVersions:
        bit = 7;
        break;
    }
    if (bit >= 0) {
      if (seen & (1u << bit)) return false;
      seen |= 1u << bit;
    }
    if (!on_extension(type, data)) return false;
  }
  return block.ok() && r.empty();
}

bool ParseUseSrtp(ByteReader& data, std::optional<U16List>* profiles,
                  absl::Span<const uint8_t>* mki) {
  U16List list;
  ByteReader mki_reader;
  if (!ReadU16List(data, &list) || !data.ReadPrefixed8(&mki_reader) || !data.empty()) {
    return false;
  }
  *profiles = list;
  *mki = mki_reader.ReadRemaining();
  return true;
}

bool ParseRenegotiationInfo(ByteReader& data, absl::Span<const uint8_t>* out) {
  ByteReader info;
  if (!data.ReadPrefixed8(&info) || !data.empty()) return false;
  *out = info.ReadRemaining();
  return true;
}

// Writes `type` with a 16-bit length patched after `body` runs.
template <typename F>
void WriteExtension(ByteWriter& w, ExtensionType type, F body) {
  w.WriteU16(static_cast<uint16_t>(type));
  const size_t at = w.position();
  w.WriteU16(0);
  body();
  w.PatchU16(at, w.position() - at - 2);
}

void WriteUseSrtp(ByteWriter& w, absl::Span<const SrtpProfile> profiles) {
  WriteExtension(w, ExtensionType::kUseSrtp, [&] {
    w.WriteU16(static_cast<uint16_t>(profiles.size() * 2));
    for (SrtpProfile p : profiles) w.WriteU16(static_cast<uint16_t>(p));
    w.WriteU8(0);  // empty MKI (RFC 5764 §4.1.1)
  });
}

}  // namespace

bool U16List::Contains(uint16_t v) const {
  for (size_t i = 0; i < size(); ++i) {
    if (at(i) == v) return true;
  }
  return false;
}

absl::Span<const uint16_t> AcceptedSignatureSchemes() { return kAcceptedSchemes; }

bool ParseClientHelloPrefix(absl::Span<const uint8_t> body_start, ClientHelloPrefix* out) {
  ByteReader r(body_start);
  ByteReader session_id, cookie;
  if (!r.ReadU16(&out->client_version) || !r.ReadSpan(kRandomSize, &out->random) ||
      !r.ReadPrefixed8(&session_id) || session_id.Remaining() > 32 || !r.ReadPrefixed8(&cookie)) {
    return false;
  }
  out->session_id = session_id.ReadRemaining();
  out->cookie = cookie.ReadRemaining();
  return true;
}

bool ParseClientHello(absl::Span<const uint8_t> body, ClientHello* out) {
  ByteReader r(body);
  ByteReader session_id, cookie, compression;
  if (!r.ReadU16(&out->client_version) || !r.ReadSpan(kRandomSize, &out->random) ||
      !r.ReadPrefixed8(&session_id) || session_id.Remaining() > 32 || !r.ReadPrefixed8(&cookie) ||
      !ReadU16List(r, &out->cipher_suites) || out->cipher_suites.size() == 0 ||
      !r.ReadPrefixed8(&compression) || compression.empty()) {
    return false;
  }
  out->session_id = session_id.ReadRemaining();
  out->cookie = cookie.ReadRemaining();
  out->compression_methods = compression.ReadRemaining();
  return ForEachExtension(r, [out](uint16_t type, ByteReader& data) {
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::kSupportedGroups: {
        U16List groups;
        if (!ReadU16List(data, &groups) || !data.empty()) return false;
        out->supported_groups = groups;
        return true;
      }
      case ExtensionType::kEcPointFormats: {
        ByteReader formats;
        if (!data.ReadPrefixed8(&formats) || !data.empty()) return false;
        out->ec_point_formats = formats.ReadRemaining();
        return true;
      }
      case ExtensionType::kSignatureAlgorithms: {
        U16List schemes;
        if (!ReadU16List(data, &schemes) || !data.empty()) return false;
        out->signature_algorithms = schemes;
        return true;
      }
      case ExtensionType::kUseSrtp:
        return ParseUseSrtp(data, &out->srtp_profiles, &out->srtp_mki);
      case ExtensionType::kExtendedMasterSecret:
        out->extended_master_secret = true;
        return data.empty();
      case ExtensionType::kRenegotiationInfo:
        out->renegotiation_info = true;
        return ParseRenegotiationInfo(data, &out->renegotiation_info_data);
      default:
        // Unknown extensions, supported_versions (a DTLS 1.3 offer: we answer 1.2, RFC 9147
        // §5.3), session_ticket (never honoured): ignored.
        return true;
    }
  });
}

bool WriteClientHello(ByteWriter& w, const ClientHelloParams& params) {
  w.WriteU16(kDtls12);
  w.WriteBytes(params.random);
  w.WriteU8(0);  // session_id: no resumption
  w.WriteU8(static_cast<uint8_t>(params.cookie.size()));
  w.WriteBytes(params.cookie);
  w.WriteU16(static_cast<uint16_t>(params.cipher_suites.size() * 2));
  for (CipherSuite s : params.cipher_suites) w.WriteU16(static_cast<uint16_t>(s));
  w.WriteU8(1);
  w.WriteU8(0);  // null compression
  const size_t ext_at = w.position();
  w.WriteU16(0);
  WriteExtension(w, ExtensionType::kExtendedMasterSecret, [] {});
  WriteExtension(w, ExtensionType::kRenegotiationInfo, [&] { w.WriteU8(0); });
  WriteExtension(w, ExtensionType::kSupportedGroups, [&] {
    w.WriteU16(static_cast<uint16_t>(params.groups.size() * 2));
    for (crypto::NamedGroup g : params.groups) w.WriteU16(static_cast<uint16_t>(g));
  });
  WriteExtension(w, ExtensionType::kEcPointFormats, [&] {
    w.WriteU8(1);
    w.WriteU8(kPointFormatUncompressed);
  });
  WriteExtension(w, ExtensionType::kSignatureAlgorithms, [&] {
    w.WriteU16(static_cast<uint16_t>(kAcceptedSchemes.size() * 2));
    for (uint16_t s : kAcceptedSchemes) w.WriteU16(s);
  });
  WriteUseSrtp(w, params.srtp_profiles);
  w.PatchU16(ext_at, w.position() - ext_at - 2);
  return w.ok();
}

bool ParseHelloVerifyRequest(absl::Span<const uint8_t> body, HelloVerifyRequest* out) {
  ByteReader r(body);
  ByteReader cookie;
  if (!r.ReadU16(&out->server_version) || !r.ReadPrefixed8(&cookie) || !r.empty()) return false;
  out->cookie = cookie.ReadRemaining();
  return true;
}

bool WriteHelloVerifyRequest(ByteWriter& w, absl::Span<const uint8_t> cookie) {
  // RFC 6347 §4.2.1: server_version in HelloVerifyRequest is DTLS 1.0 regardless of the version
  // negotiated later (it is not an indication of the server's version).
  w.WriteU16(0xFEFF);
  w.WriteU8(static_cast<uint8_t>(cookie.size()));
  w.WriteBytes(cookie);
  return w.ok();
}

bool ParseServerHello(absl::Span<const uint8_t> body, ServerHello* out) {
  ByteReader r(body);
  ByteReader session_id;
  if (!r.ReadU16(&out->server_version) || !r.ReadSpan(kRandomSize, &out->random) ||
      !r.ReadPrefixed8(&session_id) || session_id.Remaining() > 32 ||
      !r.ReadU16(&out->cipher_suite) || !r.ReadU8(&out->compression_method)) {
    return false;
  }
  out->session_id = session_id.ReadRemaining();
  return ForEachExtension(r, [out](uint16_t type, ByteReader& data) {
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::kUseSrtp:
        return ParseUseSrtp(data, &out->srtp_profiles, &out->srtp_mki);
      case ExtensionType::kExtendedMasterSecret:
        out->extended_master_secret = true;
        return data.empty();
      case ExtensionType::kRenegotiationInfo:
        out->renegotiation_info = true;
        return ParseRenegotiationInfo(data, &out->renegotiation_info_data);
      case ExtensionType::kEcPointFormats: {
        ByteReader formats;
        if (!data.ReadPrefixed8(&formats) || !data.empty()) return false;
        out->ec_point_formats = formats.ReadRemaining();
        return true;
      }
      case ExtensionType::kSessionTicket:
        out->session_ticket = true;
        return true;
      default:
        return true;
    }
  });
}

bool WriteServerHello(ByteWriter& w, const ServerHelloParams& params) {
  w.WriteU16(kDtls12);
  w.WriteBytes(params.random);
  w.WriteU8(0);  // empty session_id: sessions are never resumed
  w.WriteU16(static_cast<uint16_t>(params.cipher_suite));
  w.WriteU8(0);
  const size_t ext_at = w.position();
  w.WriteU16(0);
  if (params.renegotiation_info) {
    // RFC 5746 §3.6: an empty renegotiated_connection on the initial handshake.
    WriteExtension(w, ExtensionType::kRenegotiationInfo, [&] { w.WriteU8(0); });
  }
  WriteExtension(w, ExtensionType::kExtendedMasterSecret, [] {});
  if (params.ec_point_formats) {
    WriteExtension(w, ExtensionType::kEcPointFormats, [&] {
      w.WriteU8(1);
      w.WriteU8(kPointFormatUncompressed);
    });
  }
  WriteUseSrtp(w, absl::MakeConstSpan(&params.srtp_profile, 1));
  w.PatchU16(ext_at, w.position() - ext_at - 2);
  return w.ok();
}

bool ParseCertificate(absl::Span<const uint8_t> body, absl::Span<const uint8_t>* leaf) {
  ByteReader r(body);
  ByteReader list;
  if (!r.ReadPrefixed24(&list) || !r.empty()) return false;
  *leaf = {};
  bool first = true;
  while (!list.empty()) {
    ByteReader cert;
    if (!list.ReadPrefixed24(&cert) || cert.empty()) return false;
    if (first) *leaf = cert.ReadRemaining();
    first = false;
  }
  return list.ok();
}

bool WriteCertificate(ByteWriter& w, absl::Span<const uint8_t> der) {
  w.WriteU24(static_cast<uint32_t>(der.size() + 3));
  w.WriteU24(static_cast<uint32_t>(der.size()));
  w.WriteBytes(der);
  return w.ok();
}

bool ParseServerKeyExchange(absl::Span<const uint8_t> body, ServerKeyExchange* out) {
  ByteReader r(body);
  uint8_t curve_type = 0;
  ByteReader point, signature;
  if (!r.ReadU8(&curve_type) || curve_type != kEcCurveTypeNamedCurve ||
      !r.ReadU16(&out->named_group) || !r.ReadPrefixed8(&point) || point.empty()) {
    return false;
  }
  out->public_key = point.ReadRemaining();
  out->params = body.subspan(0, r.position());
  if (!r.ReadU16(&out->signature_scheme) || !r.ReadPrefixed16(&signature) || !r.empty()) {
    return false;
  }
  out->signature = signature.ReadRemaining();
  return true;
}

bool WriteEcdhParams(ByteWriter& w, crypto::NamedGroup group, absl::Span<const uint8_t> pub) {
  w.WriteU8(kEcCurveTypeNamedCurve);
  w.WriteU16(static_cast<uint16_t>(group));
  w.WriteU8(static_cast<uint8_t>(pub.size()));
  w.WriteBytes(pub);
  return w.ok();
}

bool WriteDigitallySigned(ByteWriter& w, uint16_t scheme, absl::Span<const uint8_t> signature) {
  w.WriteU16(scheme);
  w.WriteU16(static_cast<uint16_t>(signature.size()));
  w.WriteBytes(signature);
  return w.ok();
}

bool ParseCertificateRequest(absl::Span<const uint8_t> body, CertificateRequest* out) {
  ByteReader r(body);
  ByteReader types, authorities;
  if (!r.ReadPrefixed8(&types) || types.empty() || !ReadU16List(r, &out->signature_algorithms) ||
      !r.ReadPrefixed16(&authorities) || !r.empty()) {
    return false;
  }
  out->certificate_types = types.ReadRemaining();
  return true;
}

bool WriteCertificateRequest(ByteWriter& w) {
  w.WriteU8(2);
  w.WriteU8(kCertificateTypeEcdsaSign);
  w.WriteU8(kCertificateTypeRsaSign);
  w.WriteU16(static_cast<uint16_t>(kAcceptedSchemes.size() * 2));
  for (uint16_t s : kAcceptedSchemes) w.WriteU16(s);
  w.WriteU16(0);  // no certificate_authorities: WebRTC certificates are self-signed
  return w.ok();
}

bool ParseClientKeyExchange(absl::Span<const uint8_t> body, absl::Span<const uint8_t>* pub) {
  ByteReader r(body);
  ByteReader point;
  if (!r.ReadPrefixed8(&point) || point.empty() || !r.empty()) return false;
  *pub = point.ReadRemaining();
  return true;
}

bool WriteClientKeyExchange(ByteWriter& w, absl::Span<const uint8_t> pub) {
  w.WriteU8(static_cast<uint8_t>(pub.size()));
  w.WriteBytes(pub);
  return w.ok();
}

bool ParseCertificateVerify(absl::Span<const uint8_t> body, CertificateVerify* out) {
  ByteReader r(body);
  ByteReader signature;
  if (!r.ReadU16(&out->signature_scheme) || !r.ReadPrefixed16(&signature) || !r.empty()) {
    return false;
  }
  out->signature = signature.ReadRemaining();
  return true;
}

}  // namespace sfu::dtls
