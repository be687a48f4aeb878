#!/usr/bin/env python3
"""End to end through the real sfud and real headless Chromium (Debian chromium + chromedriver,
Python standard library only), in a loopback-only network namespace.

  browser_e2e.py SFUD_BINARY WORK_DIR [--shards N] [--room NAME] [--spread]

--spread (2 or more shards) runs sfud with --spread_threshold=1: viewer 2 is placed on the shard
after the room's home shard, so its media crosses shards inside sfud.

Two browser windows load sfud's own demo page (GET /), so every fetch is same-origin:
  * window "viewers": the demo's "Play room" button opens WHEP viewer 1 BEFORE anyone publishes;
  * window "publisher": the demo's "Publish camera" button publishes fake camera + microphone
    over WHIP;
  * window "viewers" again: "Play room" opens WHEP viewer 2 once the publisher has encoded 30
    video frames (so viewer 2's first keyframe must come from a PLI sfud sends the publisher).
Passes when, from getStats, each viewer has decoded video frames and received and decoded audio
packets over DTLS 1.2 (tlsVersion FEFD) with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and
SRTP_AEAD_AES_128_GCM, from the port of the room's home shard, and the publisher counted a PLI.
Any failure names the assertion and prints the stats seen, the demo pages' logs, the browser
console and the tail of sfud's stderr. A missing browser is a failure (scripts/setup.sh installs
it), never a skip.

Run as root: the script re-executes itself under `unshare -n` and brings up `lo`.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree when importing the helpers
from browser_util import (MEDIA_PORT, Browser, Failure, Sfud, run_in_netns, wait_for)

CONNECT_TIMEOUT_S = 30
MEDIA_TIMEOUT_S = 40

EXPECTED_TRANSPORT = {
    "dtlsState": "connected",
    "tlsVersion": "FEFD",  # DTLS 1.2 (RFC 6347 §4.1: {254, 253})
    "dtlsCipher": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "srtpCipher": "SRTP_AEAD_AES_128_GCM",  # as Chromium names it in getStats
}


def home_shard(room, shards):
    """The shard sfud places a room on (FNV-1a 64 of the name, daemon/shard_placement.cc)."""
    h = 0xcbf29ce484222325
    for c in room.encode():
        h = ((h ^ c) * 0x100000001b3) % (1 << 64)
    return h % shards


def viewer_problems(name, s, media_port):
    """The assertions on one WHEP viewer's summary; returns what is not (yet) true."""
    problems = []
    remote = s.get("remoteCandidate") or {}
    if remote.get("port") != media_port:
        problems.append(f"{name}: selected remote candidate {remote}, want port {media_port} "
                        "(the room's home shard)")
    t = s.get("transport") or {}
    for key, want in EXPECTED_TRANSPORT.items():
        if t.get(key) != want:
            problems.append(f"{name}: transport {key} is {t.get(key)!r}, want {want!r}")
    by_kind = {}
    for r in s.get("inbound", []):
        by_kind.setdefault(r["kind"], []).append(r)
    video = by_kind.get("video", [])
    audio = by_kind.get("audio", [])
    if not any((r.get("framesDecoded") or 0) > 0 for r in video):
        problems.append(f"{name}: no inbound video with framesDecoded > 0 ({video})")
    if not any((r.get("packetsReceived") or 0) > 0 and (r.get("totalSamplesReceived") or 0) > 0
               for r in audio):
        problems.append(f"{name}: no inbound audio with packetsReceived > 0 and decoded samples "
                        f"({audio})")
    return problems


def run(sfud_binary, work, shards, room, spread):
    name = f"{shards}shard{'-spread' if spread else ''}"
    args = [f"--shards={shards}"] + (["--spread_threshold=1"] if spread else [])
    sfud = Sfud(sfud_binary, os.path.join(work, f"sfud-{name}.log"), args)
    home = home_shard(room, shards)
    media_port = MEDIA_PORT + home
    # daemon/shard_placement.cc: past the threshold, a viewer goes to the next shard.
    viewer2_port = MEDIA_PORT + ((home + 1) % shards if spread else home)
    browser = None
    last = {}
    result = 1
    try:
        sfud.wait_ready()
        browser = Browser()
        b = browser

        viewers = b.current_window()
        b.load_demo(sfud.base, room)
        b.click("play")  # viewer 1, before the publisher

        def viewer1_connected():
            last["viewers"] = b.stats()
            ss = last["viewers"]["sessions"]
            return ss and ss[0]["connectionState"] == "connected"
        wait_for("viewer 1 (joined before the publisher) to connect", viewer1_connected,
                 CONNECT_TIMEOUT_S, 0.25)

        publisher = b.new_window()
        b.load_demo(sfud.base, room)
        b.click("publish")

        def publisher_sending():
            last["publisher"] = b.stats()
            ss = last["publisher"]["sessions"]
            # Past its first keyframe, so viewer 2 depends on sfud asking for a new one (PLI).
            return ss and ss[0]["connectionState"] == "connected" and any(
                o["kind"] == "video" and (o.get("framesEncoded") or 0) >= 30
                for o in ss[0]["outbound"])
        wait_for("the publisher to connect and encode 30 video frames", publisher_sending,
                 CONNECT_TIMEOUT_S, 0.25)

        b.switch_to(viewers)
        b.click("play")  # viewer 2, after the publisher

        def viewers_ok():
            last["viewers"] = b.stats()
            ss = last["viewers"]["sessions"]
            if len(ss) < 2:
                last["problems"] = [f"{len(ss)} viewer sessions, want 2"]
                return False
            last["problems"] = (viewer_problems("viewer 1 (joined first)", ss[0], media_port) +
                                viewer_problems("viewer 2", ss[1], viewer2_port))
            return not last["problems"]
        try:
            wait_for("both viewers to decode video and receive audio", viewers_ok,
                     MEDIA_TIMEOUT_S, 0.5)
        except Failure as e:
            raise Failure(f"{e}:\n  " + "\n  ".join(last.get("problems", [])))
        # sfud asks the publisher for a keyframe when a viewer connects (RFC 4585 §6.3.1 PLI).
        b.switch_to(publisher)
        last["publisher"] = b.stats()
        video_out = [o for o in last["publisher"]["sessions"][0]["outbound"]
                     if o["kind"] == "video"]
        if not any((o.get("pliCount") or 0) > 0 for o in video_out):
            raise Failure(f"the publisher received no PLI after viewer 2 joined ({video_out})")
        # A clean stop with live sessions (a sanitizer report would make this non-zero).
        code = sfud.stop()
        if code != 0:
            raise Failure(f"sfud exited with {code} on SIGTERM, want 0")
        for i, s in enumerate(last["viewers"]["sessions"][:2]):
            t = s["transport"]
            inbound = {r["kind"]: {k: v for k, v in r.items() if k in (
                "packetsReceived", "framesDecoded", "keyFramesDecoded", "totalSamplesReceived")
                and v is not None} for r in s["inbound"]}
            print(f"viewer {i + 1}: {t['tlsVersion']} {t['dtlsCipher']} {t['srtpCipher']} "
                  f"{json.dumps(inbound)}")
        print(f"publisher video: {json.dumps(video_out)}")
        print(f"PASS: {shards} shard(s), room {room} on port {media_port}, viewer 2 on port "
              f"{viewer2_port}: two WHEP viewers (one "
              "joined before the publisher) decoded the WHIP publisher's media over DTLS 1.2, "
              "SRTP AEAD_AES_128_GCM")
        result = 0
    except Failure as e:
        print(f"FAIL: {e}")
        for name, s in last.items():
            if name != "problems":
                print(f"--- last getStats, {name} window:\n{json.dumps(s, indent=1)}")
        if browser:
            browser.print_console()
    finally:
        if browser:
            browser.close()
        sfud.stop()
        if result != 0:
            sfud.report()
    return result


def main():
    argv = sys.argv[1:]
    options = {"--shards": "1", "--room": "browser"}
    for flag in options:
        if flag in argv:
            i = argv.index(flag)
            options[flag] = argv[i + 1]
            del argv[i:i + 2]
    spread = "--spread" in argv
    if spread:
        argv.remove("--spread")
    if len(argv) != 2 or (spread and int(options["--shards"]) < 2):
        print(__doc__)
        return 2
    sfud, work = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    os.makedirs(work, exist_ok=True)
    return run_in_netns(
        lambda: run(sfud, work, int(options["--shards"]), options["--room"], spread))


if __name__ == "__main__":
    sys.exit(main())
