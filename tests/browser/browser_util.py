"""Shared pieces of the tests in tests/browser (Python standard library only): running inside a
fresh loopback-only network namespace, starting sfud, and driving Debian's headless Chromium
through chromedriver (W3C WebDriver over HTTP) on sfud's own demo page."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

INSIDE_ENV = "SFUD_BROWSER_TEST_NETNS"
CHROMIUM = "/usr/lib/chromium/chromium"
HTTP_PORT = 18080
MEDIA_PORT = 20000
METRICS_PORT = 19464
DRIVER_PORT = 9515
READY_TIMEOUT_S = 20

# A compact getStats summary of each RTCPeerConnection the demo page keeps in `sessions`, plus
# the page's log. Run with execute/async.
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


def wait_for(what, predicate, timeout_s, interval_s=0.1):
    """Polls `predicate` until it returns something true (returned) or `timeout_s` passes."""
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


def run_in_netns(main_inside):
    """Re-executes the calling script under `unshare -n` (root), then runs main_inside() there
    with `lo` up. Returns the exit code: 0 pass, 1 fail."""
    if os.environ.get(INSIDE_ENV) != "1":
        env = dict(os.environ, **{INSIDE_ENV: "1"})
        cmd = ["unshare", "-n", sys.executable, os.path.abspath(sys.argv[0])] + sys.argv[1:]
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
        # A fresh network namespace: only loopback, and every fixed port above is free.
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return main_inside()
    except (Failure, OSError, subprocess.CalledProcessError) as e:
        print(f"FAIL: {e}")
        return 1


class Sfud:
    """The sfud binary on the fixed ports above, its stdout and stderr in `log_path`."""

    def __init__(self, binary, log_path, args=(), env=None):
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [binary, f"--port={MEDIA_PORT}", f"--http=127.0.0.1:{HTTP_PORT}",
             f"--metrics=127.0.0.1:{METRICS_PORT}", "--log_level=debug"] + list(args),
            stdout=self._log, stderr=subprocess.STDOUT, env=env)
        self.base = f"http://127.0.0.1:{HTTP_PORT}"

    def wait_ready(self):
        wait_for("sfud /readyz",
                 lambda: self.proc.poll() is not None or http_ok(self.base + "/readyz"),
                 READY_TIMEOUT_S)
        if self.proc.poll() is not None:
            raise Failure(f"sfud exited with {self.proc.returncode} before it was ready")

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        """SIGTERM (if still running), bounded wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)  # drain + cpp-httplib keep-alive (5 s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def report(self):
        print(f"--- sfud exit code {self.proc.returncode}; tail of {self.log_path}:")
        print(tail(self.log_path))


class Browser:
    """One headless Chromium under chromedriver; windows load sfud's demo page."""

    def __init__(self):
        for tool in ("chromedriver", CHROMIUM):
            if shutil.which(tool) is None:
                raise Failure(f"{tool} not found: install Debian chromium and chromium-driver "
                              "(scripts/setup.sh does)")
        self.sid = None
        self.profile = tempfile.mkdtemp(prefix="sfud-browser-test-")
        self.driver = subprocess.Popen(
            ["chromedriver", f"--port={DRIVER_PORT}", "--allowed-ips=127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("chromedriver", lambda: http_ok(f"http://127.0.0.1:{DRIVER_PORT}/status"),
                 READY_TIMEOUT_S)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={self.profile}", "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
                "--autoplay-policy=no-user-gesture-required",
                # Several windows; none may be throttled as a background page.
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows"]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}}
        self.sid = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{DRIVER_PORT}{path}", data,
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

    def current_window(self):
        return self.session("/window", method="GET")

    def new_window(self):
        handle = self.session("/window/new", {"type": "window"})["handle"]
        self.session("/window", {"handle": handle})
        return handle

    def switch_to(self, handle):
        self.session("/window", {"handle": handle})

    def load_demo(self, base, room):
        self.session("/url", {"url": base + "/"})
        self.run("document.getElementById('room').value = arguments[0];", room)

    def click(self, button_id):
        self.run("document.getElementById(arguments[0]).click();", button_id)

    def stats(self):
        s = self.session("/execute/async", {"script": STATS_JS, "args": []})
        if "error" in s:
            raise Failure(f"getStats failed: {s['error']}")
        return s

    def print_console(self):
        try:
            for entry in self.session("/se/log", {"type": "browser"}):
                print("console:", entry.get("message", "")[:400])
        except Failure as e:
            print(f"(no browser console: {e})")

    def close(self):
        if self.sid:
            try:
                self.session("", method="DELETE")
            except Exception:
                pass
        self.driver.terminate()
        self.driver.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
