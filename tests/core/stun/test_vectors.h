#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace sfu::stun::testing {

// Hex text (whitespace ignored) to bytes; test data only.
inline std::vector<uint8_t> FromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  int nibble = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      continue;
    }
    if (nibble < 0) {
      nibble = v;
    } else {
      out.push_back(static_cast<uint8_t>(nibble << 4 | v));
      nibble = -1;
    }
  }
  return out;
}

// RFC 5769 §2: the credentials and the four sample messages, copied from the RFC's hex dumps.
inline constexpr std::string_view kRfc5769Username = "evtj:h6vY";
inline constexpr std::string_view kRfc5769Password = "VOkJxbRl1RmTxUk/WvJxBt";

inline constexpr std::string_view kRfc5769Request = R"(
    00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
    00 24 00 04 6e 00 01 ff
    80 29 00 08 93 2f f9 b1 51 26 3b 36
    00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
    00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
    80 28 00 04 e5 7a 3b cf)";

inline constexpr std::string_view kRfc5769ResponseV4 = R"(
    01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 08 00 01 a1 47 e1 12 a6 43
    00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
    80 28 00 04 c0 7d 4c 96)";

inline constexpr std::string_view kRfc5769ResponseV6 = R"(
    01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
    00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
    80 28 00 04 c8 fb 0b 4c)";

inline constexpr std::string_view kRfc5769LongTermRequest = R"(
    00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
    00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46
                53 54 76 79 36 34 73 41
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66)";

// An ICE check encoded independently of sfud by tests/core/stun/make_corpus.py (Python's hmac,
// hashlib and zlib): USERNAME evtj:h6vY, PRIORITY 0x6e0001ff, ICE-CONTROLLING 0x0102030405060708,
// USE-CANDIDATE, MESSAGE-INTEGRITY with the RFC 5769 password, FINGERPRINT; transaction id
// 01..0c; zero padding.
inline constexpr std::string_view kPythonNominatingCheck =
    "000100482112a4420102030405060708090a0b0c000600096576746a3a68367659000000002400046e0001ff802a00"
    "0801020304050607080025000000080014058c8cdd980e11a79475c29824b92b94cd7429a08028000414f192f8";

// A Chromium-style ICE check (USERNAME "<32-char ufrag>:s3Jg", GOOG-NETWORK-INFO 0xC057,
// ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT) published with its
// password in mediasoup's worker/test/src/RTC/ICE/TestStunPacket.cpp; its integrity and
// fingerprint were also checked with Python's hmac/zlib.
inline constexpr std::string_view kChromeCheckLocalUfrag = "78tal5pc6dkyv1rpg56vuay5je13cewm";
inline constexpr std::string_view kChromeCheckRemoteUfrag = "s3Jg";
inline constexpr std::string_view kChromeCheckPassword = "1ezk7fni4jeo5bt7ibcdk4wjl8712suw";
inline constexpr std::string_view kChromeCheck =
    "0001006c2112a4424a31775941764e5470644b3300060025373874616c35706336646b797631727067353676756179"
    "356a6531336365776d3a73334a67000000c05700040003000a802a0008dc9f4372e91d901400250000002400046e7d"
    "1eff00080014f39a23b3a6054e75b39df2177100182da76834f8802800046a373f8c";

}  // namespace sfu::stun::testing
