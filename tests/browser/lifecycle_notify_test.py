#!/usr/bin/env python3
"""sfud's systemd lifecycle, end to end, with a live browser session.

  lifecycle_notify_test.py SFUD_BINARY WORK_DIR

In a loopback-only network namespace (the script re-executes itself under `unshare -n`; root):
  1. sfud starts with NOTIFY_SOCKET naming a unix datagram socket this script owns and
     WATCHDOG_USEC set, as systemd's Type=notify + WatchdogSec would;
  2. READY=1 must arrive, and the HTTP port must accept a connection and answer /readyz 200 at
     that moment (sd_notify(3): READY=1 only once the service serves);
  3. WATCHDOG=1 must keep arriving (three times after READY, within a bounded wait);
  4. a headless Chromium publishes (WHIP) and plays (WHEP) on sfud's demo page: two live sessions;
  5. SIGTERM: STOPPING=1 must arrive, sfud must exit 0 within the drain timeout (plus the HTTP
     server's keep-alive timeout, see EXIT_BOUND_S), both sessions must be removed by the drain
     (sfud's log), and Chromium must see the DTLS transports closed (close_notify received,
     getStats dtlsState "closed").
Any failure names the step and prints the notifications received and the tail of sfud's log.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree when importing the helpers
from browser_util import (HTTP_PORT, Browser, Failure, Sfud, run_in_netns, wait_for)

WATCHDOG_USEC = 400_000  # sfud pings every WATCHDOG_USEC / 2
DRAIN_TIMEOUT_MS = 4000
CONNECT_TIMEOUT_S = 30
NOTIFY_TIMEOUT_S = 10
# The exit must come within the drain timeout plus the HTTP server's stop: cpp-httplib waits for
# idle keep-alive connections (the browser's, to the demo page) to reach their 5 s timeout.
HTTP_KEEP_ALIVE_S = 5
EXIT_BOUND_S = DRAIN_TIMEOUT_MS / 1000 + HTTP_KEEP_ALIVE_S + 2


class Notifications:
    """The datagrams sd_notify sends to our socket, each as (monotonic arrival time, fields).
    A thread reads them as they come: sd_notify blocks once the socket's queue is full
    (net.unix.max_dgram_qlen), which would stall sfud's control loop."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.received = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while self.running:
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            with self.lock:
                self.received.append((time.monotonic(), fields))

    def snapshot(self):
        with self.lock:
            return list(self.received)

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()

    def wait(self, key, value, what, timeout_s=NOTIFY_TIMEOUT_S, after=0):
        """Waits for the first notification past index `after` with key=value; returns its index."""
        def find():
            received = self.snapshot()
            for i in range(after, len(received)):
                if received[i][1].get(key) == value:
                    return i + 1  # truthy even for index 0
            return None
        return wait_for(what, find, timeout_s, 0.01) - 1

    def count(self, key, value, after=0):
        return sum(1 for _, f in self.snapshot()[after:] if f.get(key) == value)

    def describe(self):
        received = self.snapshot()
        t0 = received[0][0] if received else 0
        return "\n".join(f"  +{t - t0:.3f}s {f}" for t, f in received) or "  (none)"


def accepts_connections(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def run(sfud_binary, work):
    sock_path = os.path.join(work, "notify.sock")
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    notes = Notifications(sock_path)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC=str(WATCHDOG_USEC))
    env.pop("WATCHDOG_PID", None)  # sd_watchdog_enabled() would check it against sfud's pid
    sfud = Sfud(sfud_binary, os.path.join(work, "sfud-lifecycle.log"),
                ["--shards=1", f"--drain_timeout_ms={DRAIN_TIMEOUT_MS}"], env=env)
    browser = None
    result = 1
    try:
        # 2. READY=1, and the HTTP port serves when it arrives.
        wait_for("READY=1 (or sfud exiting)",
                 lambda: notes.count("READY", "1") or sfud.proc.poll() is not None,
                 NOTIFY_TIMEOUT_S, 0.01)
        if sfud.proc.poll() is not None:
            raise Failure(f"sfud exited with {sfud.proc.returncode} before READY=1")
        ready = notes.wait("READY", "1", "READY=1")
        if not accepts_connections(HTTP_PORT):
            raise Failure("READY=1 arrived but the HTTP port refuses connections")
        sfud.wait_ready()  # /readyz answers 200 (bounded wait; it should be immediate)
        print(f"READY=1 received, HTTP {HTTP_PORT} accepting, STATUS={notes.snapshot()[ready][1]}")

        # 3. The watchdog keeps pinging. Gaps are printed, not asserted: a loaded CI machine may
        # stretch them, and sfud's period (WATCHDOG_USEC / 2) leaves systemd's margin for that.
        wait_for("three WATCHDOG=1 after READY=1",
                 lambda: notes.count("WATCHDOG", "1", ready) >= 3,
                 NOTIFY_TIMEOUT_S, 0.02)
        pings = [t for t, f in notes.snapshot()[ready:] if f.get("WATCHDOG") == "1"]
        gaps = [round(b - a, 3) for a, b in zip(pings, pings[1:])]
        print(f"WATCHDOG=1 x{len(pings)} after READY=1, gaps {gaps} s "
              f"(WATCHDOG_USEC {WATCHDOG_USEC} us)")

        # 4. Two live sessions from a real browser.
        browser = Browser()
        browser.load_demo(sfud.base, "lifecycle")
        browser.click("publish")
        browser.click("play")

        def both_connected():
            ss = browser.stats()["sessions"]
            return len(ss) == 2 and all(s["transport"] and s["transport"]["dtlsState"] ==
                                        "connected" for s in ss) and ss
        sessions = wait_for("the WHIP and the WHEP session to connect", both_connected,
                            CONNECT_TIMEOUT_S, 0.25)
        # The session id is the last segment of the resource URL (RFC 9725 §4.1 Location).
        session_ids = [s["location"].rstrip("/").rsplit("/", 1)[1] for s in sessions]
        print(f"live sessions {session_ids}")

        # 5. SIGTERM: STOPPING=1, exit 0 within the drain timeout, sessions closed.
        before = len(notes.snapshot())
        sent_at = time.monotonic()
        sfud.proc.send_signal(signal.SIGTERM)
        notes.wait("STOPPING", "1", "STOPPING=1 after SIGTERM", after=before)
        try:
            code = sfud.proc.wait(timeout=EXIT_BOUND_S)
        except subprocess.TimeoutExpired:
            raise Failure(f"sfud still running {EXIT_BOUND_S} s after SIGTERM")
        took = time.monotonic() - sent_at
        if code != 0:
            raise Failure(f"sfud exited with {code} after SIGTERM, want 0")
        log = sfud.log()
        if "drain timeout" in log:
            raise Failure("the drain hit its timeout instead of closing every session")
        for sid in session_ids:
            if f"session {sid} removed" not in log:
                raise Failure(f"session {sid} was not removed by the drain")

        def transports_closed():
            ss = browser.stats()["sessions"]
            return all(s["transport"] and s["transport"]["dtlsState"] == "closed" for s in ss)
        wait_for("Chromium to see both DTLS transports closed (close_notify)", transports_closed,
                 NOTIFY_TIMEOUT_S, 0.25)
        print(f"SIGTERM -> STOPPING=1, exit 0 after {took:.2f} s (bound {EXIT_BOUND_S} s), both "
              "sessions removed, Chromium saw close_notify")
        print("PASS: READY=1 after HTTP serves, WATCHDOG=1 periodic, SIGTERM drains and exits 0")
        result = 0
    except Failure as e:
        print(f"FAIL: {e}")
        if browser:
            try:
                print(f"--- browser sessions: {browser.stats()}")
            except Failure:
                pass
            browser.print_console()
    finally:
        if result != 0:
            print(f"--- notifications:\n{notes.describe()}")
        if browser:
            browser.close()
        sfud.stop()
        if result != 0:
            sfud.report()
        notes.close()
        os.unlink(sock_path)
    return result


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    sfud, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(work, exist_ok=True)
    return run_in_netns(lambda: run(sfud, work))


if __name__ == "__main__":
    sys.exit(main())
