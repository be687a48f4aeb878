#!/usr/bin/env python3
"""End to end through the real sfud and real headless Chromium (Debian chromium + chromedriver,
Python standard library only), in a loopback-only network namespace.

  browser_e2e.py SFUD_BINARY WORK_DIR [--shards N] [--room NAME]

Two browser windows load sfud's own demo page (GET /), so every fetch is same-origin:
  * window "viewers": the demo's "Play room" button opens WHEP viewer 1 BEFORE anyone publishes;
  * window "publisher": the demo's "Publish camera" button publishes fake camera + microphone
    over WHIP;
  * window "viewers" again: "Play room" opens WHEP viewer 2 once the publisher is connected.
Passes when, from getStats, each viewer has decoded video frames and received audio packets over
DTLS 1.2 (tlsVersion FEFD) with TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and SRTP_AEAD_AES_128_GCM.
Any failure names the assertion and prints the stats seen, the demo pages' logs, the browser
console and the tail of sfud's stderr. A missing browser is a failure (scripts/setup.sh installs
it), never a skip.

Run as root: the script re-executes itself under `unshare -n` and brings up `lo`.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

INSIDE_ENV = "SFUD_BROWSER_E2E_NETNS"
CHROMIUM = "/usr/lib/chromium/chromium"
HTTP_PORT = 18080
MEDIA_PORT = 20000
METRICS_PORT = 19464
DRIVER_PORT = 9515
# Bounds on each wait; together they keep a failing run well under the ctest TIMEOUT.
READY_TIMEOUT_S = 10
CONNECT_TIMEOUT_S = 20
MEDIA_TIMEOUT_S = 25

EXPECTED_TRANSPORT = {
    "dtlsState": "connected",
    "tlsVersion": "FEFD",  # DTLS 1.2 (RFC 6347 §4.1: {254, 253})
    "dtlsCipher": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "srtpCipher": "SRTP_AEAD_AES_128_GCM",  # as Chromium names it in getStats
}

# Installed into every window after the demo page loads: a compact getStats summary of each
# RTCPeerConnection the demo page keeps in its `sessions` list.
STATS_JS = r"""
const done = arguments[arguments.length - 1];
(async () => {
  const out = [];
  for (const s of sessions) {
    const stats = await s.pc.getStats();
    const r = {location: s.location, connectionState: s.pc.connectionState,
               iceConnectionState: s.pc.iceConnectionState, inbound: [], outbound: [],
               transport: null};
    stats.forEach((x) => {
      if (x.type === "inbound-rtp") {
        r.inbound.push({kind: x.kind, ssrc: x.ssrc, packetsReceived: x.packetsReceived,
                        packetsLost: x.packetsLost, framesDecoded: x.framesDecoded,
                        keyFramesDecoded: x.keyFramesDecoded, pliCount: x.pliCount,
                        nackCount: x.nackCount, codecId: x.codecId,
                        totalSamplesReceived: x.totalSamplesReceived,
                        concealedSamples: x.concealedSamples});
      } else if (x.type === "outbound-rtp") {
        r.outbound.push({kind: x.kind, ssrc: x.ssrc, packetsSent: x.packetsSent,
                         framesEncoded: x.framesEncoded, keyFramesEncoded: x.keyFramesEncoded,
                         pliCount: x.pliCount, nackCount: x.nackCount});
      } else if (x.type === "transport") {
        r.transport = {dtlsState: x.dtlsState, iceState: x.iceState, tlsVersion: x.tlsVersion,
                       dtlsCipher: x.dtlsCipher, srtpCipher: x.srtpCipher, dtlsRole: x.dtlsRole,
                       packetsReceived: x.packetsReceived, packetsSent: x.packetsSent,
                       selectedCandidatePairId: x.selectedCandidatePairId};
      }
    });
    const pair = r.transport && stats.get(r.transport.selectedCandidatePairId);
    const remote = pair && stats.get(pair.remoteCandidateId);
    if (remote) r.remoteCandidate = {address: remote.address, port: remote.port};
    out.push(r);
  }
  return {sessions: out, log: document.getElementById("log").textContent};
})().then(done, (e) => done({error: String(e)}));
"""


class Failure(Exception):
    pass


class Driver:
    """The few W3C WebDriver calls the test needs, over chromedriver's HTTP port."""

    def __init__(self, port):
        self.port = port
        self.sid = None

    def call(self, method, path, body=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data,
                                     {"Content-Type": "application/json"}, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.load(resp)["value"]
        except urllib.error.HTTPError as e:
            raise Failure(f"WebDriver {method} {path}: HTTP {e.code} {e.read()[:500]!r}")

    def session(self, path, body=None, method="POST"):
        return self.call(method, f"/session/{self.sid}{path}", body)

    def run(self, script, *args):
        return self.session("/execute/sync", {"script": script, "args": list(args)})

    def run_async(self, script, *args):
        return self.session("/execute/async", {"script": script, "args": list(args)})


def wait_for(what, predicate, timeout_s, interval_s=0.1):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise Failure(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def tail(path, lines=60):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(cannot read {path}: {e})"


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


def inside(sfud, work, shards, room):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for tool in ("chromedriver", CHROMIUM):
        if shutil.which(tool) is None:
            raise Failure(f"{tool} not found: install Debian chromium and chromium-driver "
                          "(scripts/setup.sh does)")
    log_path = os.path.join(work, f"sfud-{shards}shard.log")
    sfud_log = open(log_path, "w")
    sfud_proc = subprocess.Popen(
        [sfud, f"--shards={shards}", f"--port={MEDIA_PORT}", f"--http=127.0.0.1:{HTTP_PORT}",
         f"--metrics=127.0.0.1:{METRICS_PORT}", "--log_level=debug"],
        stdout=sfud_log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{HTTP_PORT}"
    media_port = MEDIA_PORT + home_shard(room, shards)
    driver_proc = subprocess.Popen(["chromedriver", f"--port={DRIVER_PORT}",
                                    "--allowed-ips=127.0.0.1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    profile = tempfile.mkdtemp(prefix="sfud-browser-e2e-")
    d = Driver(DRIVER_PORT)
    last = {}
    result = 1
    try:
        wait_for("sfud /readyz", lambda: sfud_proc.poll() is not None or http_ok(base + "/readyz"),
                 READY_TIMEOUT_S)
        if sfud_proc.poll() is not None:
            raise Failure(f"sfud exited with {sfud_proc.returncode} before it was ready")
        wait_for("chromedriver", lambda: http_ok(f"http://127.0.0.1:{DRIVER_PORT}/status"),
                 READY_TIMEOUT_S)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
                "--autoplay-policy=no-user-gesture-required",
                # Two windows; neither may be throttled as a background page.
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}}
        d.sid = d.call("POST", "/session", caps)["sessionId"]

        def load_demo():
            d.session("/url", {"url": base + "/"})
            d.run("document.getElementById('room').value = arguments[0];", room)

        def stats():
            s = d.run_async(STATS_JS)
            if "error" in s:
                raise Failure(f"getStats failed: {s['error']}")
            return s

        viewers = d.session("/window", method="GET")
        load_demo()
        d.run("document.getElementById('play').click();")  # viewer 1, before the publisher

        def viewer1_connected():
            last["viewers"] = stats()
            ss = last["viewers"]["sessions"]
            return ss and ss[0]["connectionState"] == "connected"
        wait_for("viewer 1 (joined before the publisher) to connect", viewer1_connected,
                 CONNECT_TIMEOUT_S, 0.25)

        publisher = d.session("/window/new", {"type": "window"})["handle"]
        d.session("/window", {"handle": publisher})
        load_demo()
        d.run("document.getElementById('publish').click();")

        def publisher_sending():
            last["publisher"] = stats()
            ss = last["publisher"]["sessions"]
            # Past its first keyframe, so viewer 2 depends on sfud asking for a new one (PLI).
            return ss and ss[0]["connectionState"] == "connected" and any(
                o["kind"] == "video" and (o.get("framesEncoded") or 0) >= 30
                for o in ss[0]["outbound"])
        wait_for("the publisher to connect and encode 30 video frames", publisher_sending,
                 CONNECT_TIMEOUT_S, 0.25)

        d.session("/window", {"handle": viewers})
        d.run("document.getElementById('play').click();")  # viewer 2, after the publisher

        def viewers_ok():
            last["viewers"] = stats()
            ss = last["viewers"]["sessions"]
            if len(ss) < 2:
                last["problems"] = [f"{len(ss)} viewer sessions, want 2"]
                return False
            last["problems"] = (viewer_problems("viewer 1 (joined first)", ss[0], media_port) +
                                viewer_problems("viewer 2", ss[1], media_port))
            return not last["problems"]
        try:
            wait_for("both viewers to decode video and receive audio", viewers_ok,
                     MEDIA_TIMEOUT_S, 0.5)
        except Failure as e:
            raise Failure(f"{e}:\n  " + "\n  ".join(last.get("problems", [])))
        # sfud asks the publisher for a keyframe when a viewer connects (RFC 4585 §6.3.1 PLI).
        d.session("/window", {"handle": publisher})
        last["publisher"] = stats()
        video_out = [o for o in last["publisher"]["sessions"][0]["outbound"]
                     if o["kind"] == "video"]
        if not any((o.get("pliCount") or 0) > 0 for o in video_out):
            raise Failure(f"the publisher received no PLI after viewer 2 joined ({video_out})")
        for i, s in enumerate(last["viewers"]["sessions"][:2]):
            t = s["transport"]
            inbound = {r["kind"]: {k: v for k, v in r.items() if k in (
                "packetsReceived", "framesDecoded", "keyFramesDecoded", "totalSamplesReceived")
                and v is not None} for r in s["inbound"]}
            print(f"viewer {i + 1}: {t['tlsVersion']} {t['dtlsCipher']} {t['srtpCipher']} "
                  f"{json.dumps(inbound)}")
        print(f"publisher video: {json.dumps(video_out)}")
        print(f"PASS: {shards} shard(s), room {room} on port {media_port}: two WHEP viewers (one "
              "joined before the publisher) decoded the WHIP publisher's media over DTLS 1.2, "
              "SRTP AEAD_AES_128_GCM")
        result = 0
    except Failure as e:
        print(f"FAIL: {e}")
        for name, s in last.items():
            if name != "problems":
                print(f"--- last getStats, {name} window:\n{json.dumps(s, indent=1)}")
        if d.sid:
            try:
                for entry in d.session("/se/log", {"type": "browser"}):
                    print("console:", entry.get("message", "")[:400])
            except Failure as log_error:
                print(f"(no browser console: {log_error})")
    finally:
        if d.sid:
            try:
                d.session("", method="DELETE")
            except Exception:
                pass
        driver_proc.terminate()
        driver_proc.wait()
        if sfud_proc.poll() is None:
            sfud_proc.terminate()
            try:
                sfud_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                sfud_proc.kill()
                sfud_proc.wait()
        sfud_log.close()
        shutil.rmtree(profile, ignore_errors=True)
        if result != 0:
            print(f"--- sfud exit code {sfud_proc.returncode}; tail of {log_path}:")
            print(tail(log_path))
    return result


def main():
    argv = sys.argv[1:]
    options = {"--shards": "1", "--room": "browser"}
    for flag in options:
        if flag in argv:
            i = argv.index(flag)
            options[flag] = argv[i + 1]
            del argv[i:i + 2]
    shards, room = int(options["--shards"]), options["--room"]
    if len(argv) != 2:
        print(__doc__)
        return 2
    sfud, work = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    os.makedirs(work, exist_ok=True)
    if os.environ.get(INSIDE_ENV) != "1":
        # A fresh network namespace: only loopback, and every fixed port above is free.
        env = dict(os.environ, **{INSIDE_ENV: "1"})
        cmd = ["unshare", "-n", sys.executable, os.path.abspath(__file__), sfud, work,
               "--shards", str(shards), "--room", room]
        try:
            rc = subprocess.run(cmd, env=env).returncode
        except OSError as e:
            print(f"FAIL: cannot run `unshare -n` ({e}): util-linux and root are needed")
            return 1
        if rc not in (0, 1):
            print(f"FAIL: `unshare -n` or the test inside it exited with {rc} (needs root)")
            return 1
        return rc
    try:
        return inside(sfud, work, shards, room)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
