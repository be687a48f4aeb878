#pragma once

// RTCP datagrams shared by the RTCP tests and mirrored in corpus_rtcp/ (the fuzz seeds).

#include <cstdint>
#include <vector>

namespace sfu::rtp::testing {

// A compound RTCP datagram from a packet dump, as published with its field values in pion/rtcp
// (packet_test.go, realPacket): RR + SDES(CNAME) + BYE + PLI + RTPFB FMT 5 (rapid resync request,
// RFC 6051, which sfud does not interpret).
inline std::vector<uint8_t> PionCaptureCompound() {
  return {
      // RR, RC=1, length 7: sender 0x902f9e2e; block for 0xbc5e9a40: lost 0/0, highest 0x46e1,
      // jitter 273, LSR 0x09f36432, DLSR 150137.
      0x81,
      0xc9,
      0x00,
      0x07,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      0xbc,
      0x5e,
      0x9a,
      0x40,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x46,
      0xe1,
      0x00,
      0x00,
      0x01,
      0x11,
      0x09,
      0xf3,
      0x64,
      0x32,
      0x00,
      0x02,
      0x4a,
      0x79,
      // SDES, SC=1, length 12: chunk 0x902f9e2e, CNAME (38 bytes), null + padding.
      0x81,
      0xca,
      0x00,
      0x0c,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      0x01,
      0x26,
      '{',
      '9',
      'c',
      '0',
      '0',
      'e',
      'b',
      '9',
      '2',
      '-',
      '1',
      'a',
      'f',
      'b',
      '-',
      '9',
      'd',
      '4',
      '9',
      '-',
      'a',
      '4',
      '7',
      'd',
      '-',
      '9',
      '1',
      'f',
      '6',
      '4',
      'e',
      'e',
      'e',
      '6',
      '9',
      'f',
      '5',
      '}',
      0x00,
      0x00,
      0x00,
      0x00,
      // BYE, SC=1: 0x902f9e2e.
      0x81,
      0xcb,
      0x00,
      0x01,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      // PSFB FMT 1 (PLI): sender and media 0x902f9e2e.
      0x81,
      0xce,
      0x00,
      0x02,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      // RTPFB FMT 5 (RRR).
      0x85,
      0xcd,
      0x00,
      0x02,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      0x90,
      0x2f,
      0x9e,
      0x2e,
  };
}

// Transport-wide CC feedback captured from Chrome and dissected by Wireshark, as published in
// github.com/olivermichel/webrtc-analysis (test/include/data.h): base seq 1, 9 packets, reference
// time 6197520, feedback count 0, one run-length chunk (9 x small delta), deltas 7, 3, 11, 14, 0,
// 1, 0, 2, 6 ms, and one byte of RTCP padding (P bit set, count 1).
inline std::vector<uint8_t> ChromeCaptureTransportCc() {
  return {0xaf, 0xcd, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0xdd, 0x58, 0x6e,
          0xb6, 0x00, 0x01, 0x00, 0x09, 0x5e, 0x91, 0x10, 0x00, 0x20, 0x09,
          0x1c, 0x0c, 0x2c, 0x38, 0x00, 0x04, 0x00, 0x08, 0x18, 0x01};
}

// An SR with one report block, built byte by byte from RFC 3550 §6.4.1.
inline std::vector<uint8_t> SenderReportOneBlock() {
  return {
      0x81, 0xC8, 0x00, 0x0C,  // V=2 P=0 RC=1, PT=200, length 12 words (52 bytes)
      0x11, 0x22, 0x33, 0x44,  // sender SSRC
      0xE9, 0x1F, 0x2B, 0x70,  // NTP seconds
      0x80, 0x00, 0x00, 0x00,  // NTP fraction (0.5 s)
      0x00, 0x0F, 0x42, 0x40,  // RTP timestamp 1000000
      0x00, 0x00, 0x03, 0xE8,  // packet count 1000
      0x00, 0x0F, 0x42, 0x40,  // octet count 1000000
      0x55, 0x66, 0x77, 0x88,  // block: source SSRC
      0x40,                    // fraction lost 64/256 = 25%
      0xFF, 0xFF, 0xFE,        // cumulative lost -2 (duplicates outnumber losses)
      0x00, 0x01, 0x00, 0x10,  // extended highest sequence: 1 cycle, seq 16
      0x00, 0x00, 0x00, 0x2A,  // interarrival jitter 42
      0x1F, 0x2B, 0x70, 0x80,  // LSR: middle 32 bits of an earlier SR's NTP timestamp
      0x00, 0x01, 0x80, 0x00,  // DLSR 1.5 s in 1/65536 s
  };
}

// NACK (RFC 4585 §6.2.1) for media 0xCAFEBABE: PID 100 with BLP 0x8001 (100, 101, 116), then
// PID 65535 with BLP 0x0003 (65535, 0, 1): the second entry's window crosses the wrap.
inline std::vector<uint8_t> NackTwoEntries() {
  return {
      0x81, 0xCD, 0x00, 0x04,  // V=2 FMT=1, PT=205 (RTPFB), length 4 words
      0x00, 0x00, 0x00, 0x01,  // sender SSRC
      0xCA, 0xFE, 0xBA, 0xBE,  // media SSRC
      0x00, 0x64, 0x80, 0x01,  // PID 100, BLP 0x8001
      0xFF, 0xFF, 0x00, 0x03,  // PID 65535, BLP 0x0003
  };
}

// FIR (RFC 5104 §4.3.1) asking two senders for key frames.
inline std::vector<uint8_t> FirTwoEntries() {
  return {
      0x84, 0xCE, 0x00, 0x06,  // V=2 FMT=4, PT=206 (PSFB), length 6 words
      0x00, 0x00, 0x00, 0x01,  // sender SSRC
      0x00, 0x00, 0x00, 0x00,  // media SSRC: unused, 0 (RFC 5104 §4.3.1.2)
      0x12, 0x34, 0x56, 0x78,  // FCI 1: SSRC
      0x07, 0x00, 0x00, 0x00,  //        seq nr 7, reserved
      0x9A, 0xBC, 0xDE, 0xF0,  // FCI 2: SSRC
      0xFF, 0x00, 0x00, 0x00,  //        seq nr 255, reserved
  };
}

// REMB (draft-alvestrand-rmcat-remb-03 §2.2): 1 SSRC, exponent 3, mantissa 0x3D090 (250000),
// i.e. 2 Mbit/s.
inline std::vector<uint8_t> RembTwoMbps() {
  return {
      0x8F, 0xCE, 0x00, 0x05,  // V=2 FMT=15, PT=206 (PSFB), length 5 words
      0x00, 0x00, 0x00, 0x01,  // sender SSRC
      0x00, 0x00, 0x00, 0x00,  // media SSRC: always 0
      'R',  'E',  'M',  'B',   // unique identifier
      0x01,                    // Num SSRC
      0x0F, 0xD0, 0x90,        // BR Exp 3 (6 bits) | BR Mantissa 0x3D090 (18 bits)
      0xCA, 0xFE, 0xBA, 0xBE,  // SSRC feedback
  };
}

}  // namespace sfu::rtp::testing
