#pragma once

#include "core/stun/stun_message.h"
#include "crypto/hmac.h"

namespace sfu::stun {

// MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 over the message up to (not including) the
// attribute, with the header's length field rewritten as if MESSAGE-INTEGRITY were the last
// attribute. `hmac` must be an HMAC-SHA1 keyed with the credential's key: the password itself for
// short-term credentials (ICE, RFC 8445 §7.2.2), MD5(username ":" realm ":" password) for
// long-term ones. False if the message has no MESSAGE-INTEGRITY, the MAC differs (compared in
// constant time), or `hmac` is not SHA-1. Never allocates.
[[nodiscard]] bool VerifyMessageIntegrity(const StunMessage& message, crypto::Hmac& hmac);

// FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message up to the attribute, xor 0x5354554E. False
// if the message has none or it does not match.
[[nodiscard]] bool VerifyFingerprint(const StunMessage& message);

}  // namespace sfu::stun
