#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/types/span.h"
#include "core/common/byte_reader.h"
#include "core/common/byte_writer.h"
#include "core/dtls/dtls_types.h"
#include "core/dtls/handshake_header.h"

namespace sfu::dtls {

// Bodies of the DTLS 1.2 handshake messages sfud sends and receives (RFC 5246 §7.4, RFC 6347
// §4.2, RFC 8422 for ECDHE, RFC 5764 use_srtp, RFC 7627 extended_master_secret, RFC 5746
// renegotiation_info). Parsed structs hold views into the message body they were parsed from and
// are valid as long as it is. Parsers are bounds-checked and reject trailing bytes; writers fail
// instead of growing.

// Extension code points.
enum class ExtensionType : uint16_t {
  kSupportedGroups = 10,
  kEcPointFormats = 11,
  kSignatureAlgorithms = 13,
  kUseSrtp = 14,
  kExtendedMasterSecret = 23,
  kSessionTicket = 35,
  kSupportedVersions = 43,
  kRenegotiationInfo = 0xFF01,
};

inline constexpr uint16_t kEmptyRenegotiationInfoScsv = 0x00FF;  // RFC 5746 §3.3
inline constexpr uint8_t kCertificateTypeRsaSign = 1;            // RFC 5246 §7.4.4
inline constexpr uint8_t kCertificateTypeEcdsaSign = 64;         // RFC 8422 §5.5
inline constexpr uint8_t kEcCurveTypeNamedCurve = 3;             // RFC 8422 §5.4
inline constexpr size_t kRandomSize = 32;
inline constexpr size_t kVerifyDataSize = 12;

// A list of big-endian uint16 values as it sits on the wire.
class U16List {
 public:
  U16List() = default;
  explicit U16List(absl::Span<const uint8_t> raw) : raw_(raw) {}
  size_t size() const { return raw_.size() / 2; }
  uint16_t at(size_t i) const { return static_cast<uint16_t>(raw_[2 * i] << 8 | raw_[2 * i + 1]); }
  bool Contains(uint16_t v) const;
  absl::Span<const uint8_t> raw() const { return raw_; }

 private:
  absl::Span<const uint8_t> raw_;
};

struct ClientHello {
  uint16_t client_version = 0;
  absl::Span<const uint8_t> random;  // 32 bytes
  absl::Span<const uint8_t> session_id;
  absl::Span<const uint8_t> cookie;
  U16List cipher_suites;
  absl::Span<const uint8_t> compression_methods;
  // Extensions (unknown ones are skipped).
  bool extended_master_secret = false;
  bool renegotiation_info = false;
  absl::Span<const uint8_t> renegotiation_info_data;
  std::optional<U16List> supported_groups;
  std::optional<absl::Span<const uint8_t>> ec_point_formats;
  std::optional<U16List> signature_algorithms;
  std::optional<U16List> srtp_profiles;
  absl::Span<const uint8_t> srtp_mki;
};

// The fields of a ClientHello up to and including its cookie: what every first fragment of a
// ClientHello carries (the stateless cookie check reads only these).
struct ClientHelloPrefix {
  uint16_t client_version = 0;
  absl::Span<const uint8_t> random;
  absl::Span<const uint8_t> session_id;
  absl::Span<const uint8_t> cookie;
};

bool ParseClientHelloPrefix(absl::Span<const uint8_t> body_start, ClientHelloPrefix* out);
bool ParseClientHello(absl::Span<const uint8_t> body, ClientHello* out);

struct ClientHelloParams {
  absl::Span<const uint8_t> random;
  absl::Span<const uint8_t> cookie;
  absl::Span<const CipherSuite> cipher_suites;
  absl::Span<const crypto::NamedGroup> groups;
  absl::Span<const SrtpProfile> srtp_profiles;
};
bool WriteClientHello(ByteWriter& w, const ClientHelloParams& params);

struct HelloVerifyRequest {
  uint16_t server_version = 0;
  absl::Span<const uint8_t> cookie;
};
bool ParseHelloVerifyRequest(absl::Span<const uint8_t> body, HelloVerifyRequest* out);
bool WriteHelloVerifyRequest(ByteWriter& w, absl::Span<const uint8_t> cookie);

struct ServerHello {
  uint16_t server_version = 0;
  absl::Span<const uint8_t> random;
  absl::Span<const uint8_t> session_id;
  uint16_t cipher_suite = 0;
  uint8_t compression_method = 0;
  bool extended_master_secret = false;
  bool renegotiation_info = false;
  absl::Span<const uint8_t> renegotiation_info_data;
  std::optional<U16List> srtp_profiles;
  absl::Span<const uint8_t> srtp_mki;
  std::optional<absl::Span<const uint8_t>> ec_point_formats;
  bool session_ticket = false;
};
bool ParseServerHello(absl::Span<const uint8_t> body, ServerHello* out);

struct ServerHelloParams {
  absl::Span<const uint8_t> random;
  CipherSuite cipher_suite;
  SrtpProfile srtp_profile;
  bool renegotiation_info;  // echo an empty renegotiation_info (the client offered it)
  bool ec_point_formats;    // echo [uncompressed] (the client sent the extension)
};
bool WriteServerHello(ByteWriter& w, const ServerHelloParams& params);

// Certificate (RFC 5246 §7.4.2): only the leaf is kept (WebRTC certificates are self-signed).
// `leaf` is empty if the list is empty.
bool ParseCertificate(absl::Span<const uint8_t> body, absl::Span<const uint8_t>* leaf);
bool WriteCertificate(ByteWriter& w, absl::Span<const uint8_t> der);

// ServerKeyExchange for ECDHE (RFC 8422 §5.4).
struct ServerKeyExchange {
  uint16_t named_group = 0;
  absl::Span<const uint8_t> public_key;
  absl::Span<const uint8_t> params;  // curve_type..public key: what the signature covers
  uint16_t signature_scheme = 0;
  absl::Span<const uint8_t> signature;
};
bool ParseServerKeyExchange(absl::Span<const uint8_t> body, ServerKeyExchange* out);
// Writes the ServerECDHParams only (signed, then WriteDigitallySigned appends the signature).
bool WriteEcdhParams(ByteWriter& w, crypto::NamedGroup group, absl::Span<const uint8_t> pub);
bool WriteDigitallySigned(ByteWriter& w, uint16_t scheme, absl::Span<const uint8_t> signature);

struct CertificateRequest {
  absl::Span<const uint8_t> certificate_types;
  U16List signature_algorithms;
};
bool ParseCertificateRequest(absl::Span<const uint8_t> body, CertificateRequest* out);
bool WriteCertificateRequest(ByteWriter& w);

// ClientKeyExchange for ECDHE: the client's public value (RFC 8422 §5.7).
bool ParseClientKeyExchange(absl::Span<const uint8_t> body, absl::Span<const uint8_t>* pub);
bool WriteClientKeyExchange(ByteWriter& w, absl::Span<const uint8_t> pub);

struct CertificateVerify {
  uint16_t signature_scheme = 0;
  absl::Span<const uint8_t> signature;
};
bool ParseCertificateVerify(absl::Span<const uint8_t> body, CertificateVerify* out);

// The signature schemes sfud accepts from peers (CertificateRequest, signature_algorithms).
absl::Span<const uint16_t> AcceptedSignatureSchemes();

}  // namespace sfu::dtls
