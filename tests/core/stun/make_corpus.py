#!/usr/bin/env python3
"""Writes the seed corpus of the `stun` fuzz target (corpus/*.bin).

The RFC 5769 messages are copied from the RFC's hex dumps. The ICE checks are encoded here with
Python's standard library (hmac, hashlib, zlib) rather than with sfud's builder, so the seeds are
also an independent encoding of what a browser sends. Run from this directory; output is
deterministic.
"""
import hashlib
import hmac
import struct
import zlib

COOKIE = 0x2112A442

SEEDS = {
    # RFC 5769 §2.1 sample request (USERNAME evtj:h6vY, password VOkJxbRl1RmTxUk/WvJxBt).
    "rfc5769_2_1_request": """
        00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
        00 24 00 04 6e 00 01 ff 80 29 00 08 93 2f f9 b1 51 26 3b 36
        00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
        00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
        80 28 00 04 e5 7a 3b cf""",
    # RFC 5769 §2.2 sample IPv4 response.
    "rfc5769_2_2_response_ipv4": """
        01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 08 00 01 a1 47 e1 12 a6 43
        00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
        80 28 00 04 c0 7d 4c 96""",
    # RFC 5769 §2.3 sample IPv6 response.
    "rfc5769_2_3_response_ipv6": """
        01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
        80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
        00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
        00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
        80 28 00 04 c8 fb 0b 4c""",
    # RFC 5769 §2.4 sample request with long-term authentication.
    "rfc5769_2_4_request_long_term": """
        00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
        00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
        00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46
                    53 54 76 79 36 34 73 41
        00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
        00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66""",
    # A Chromium-style check published with its password (1ezk7fni4jeo5bt7ibcdk4wjl8712suw) in
    # mediasoup's worker/test/src/RTC/ICE/TestStunPacket.cpp.
    "chromium_check_mediasoup": """
        00 01 00 6c 21 12 a4 42 4a 31 77 59 41 76 4e 54 70 64 4b 33
        00 06 00 25 37 38 74 61 6c 35 70 63 36 64 6b 79 76 31 72 70 67 35 36 76
                    75 61 79 35 6a 65 31 33 63 65 77 6d 3a 73 33 4a 67 00 00 00
        c0 57 00 04 00 03 00 0a 80 2a 00 08 dc 9f 43 72 e9 1d 90 14 00 25 00 00
        00 24 00 04 6e 7d 1e ff
        00 08 00 14 f3 9a 23 b3 a6 05 4e 75 b3 9d f2 17 71 00 18 2d a7 68 34 f8
        80 28 00 04 6a 37 3f 8c""",
}


def attr(attr_type, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", attr_type, len(value)) + value + b"\0" * pad


def message(msg_type, tid, attrs, key=None, fingerprint=True):
    """RFC 8489 §14.5/§14.7 encoding, with integrity keyed by `key` and an optional FINGERPRINT."""
    body = b"".join(attrs)
    if key is not None:
        header = struct.pack("!HHI", msg_type, len(body) + 24, COOKIE) + tid
        mac = hmac.new(key, header + body, hashlib.sha1).digest()
        body += attr(0x0008, mac)
    if fingerprint:
        header = struct.pack("!HHI", msg_type, len(body) + 8, COOKIE) + tid
        crc = (zlib.crc32(header + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += attr(0x8028, struct.pack("!I", crc))
    return struct.pack("!HHI", msg_type, len(body), COOKIE) + tid + body


def ice_checks():
    """Checks against the fuzz target's agent (local evtj, remote h6vY, RFC 5769's password)."""
    key = b"VOkJxbRl1RmTxUk/WvJxBt"
    tid = bytes(range(1, 13))
    user = attr(0x0006, b"evtj:h6vY")
    prio = attr(0x0024, struct.pack("!I", 0x6E0001FF))
    controlling = attr(0x802A, struct.pack("!Q", 0x0102030405060708))
    controlled = attr(0x8029, struct.pack("!Q", 0x0102030405060708))
    return {
        "ice_check_nominate": message(0x0001, tid, [user, prio, controlling, attr(0x0025, b"")],
                                      key),
        "ice_check_plain": message(0x0001, tid, [user, prio, controlling], key),
        "ice_check_no_fingerprint": message(0x0001, tid, [user, prio, controlling], key,
                                            fingerprint=False),
        "ice_check_role_conflict": message(0x0001, tid, [user, prio, controlled], key),
        "ice_check_unknown_required": message(
            0x0001, tid, [user, prio, controlling, attr(0x7FFF, b"abc")], key),
        "ice_check_wrong_password": message(0x0001, tid, [user, prio, controlling],
                                            b"not the right password!"),
        "binding_indication": message(0x0011, tid, []),
    }


def main():
    for name, text in SEEDS.items():
        with open(f"corpus/{name}.bin", "wb") as f:
            f.write(bytes.fromhex(text))
    for name, data in ice_checks().items():
        with open(f"corpus/{name}.bin", "wb") as f:
            f.write(data)
    for name, data in ice_checks().items():
        print(f"{name}: {data.hex()}")


if __name__ == "__main__":
    main()
