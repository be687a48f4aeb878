#!/usr/bin/env python3
"""Captures real Chromium offers for the SDP fixtures (and optionally feeds our answer back).

Run as root inside a loopback-only namespace (Debian chromium + chromium-driver, Python stdlib):
  /work/shared/peers/netns_run.sh python3 capture_chromium.py OUT_DIR [--answer-cmd CMD]
Writes OUT_DIR/chromium156_offer.sdp, chromium156_simulcast_offer.sdp (publisher, sendonly) and
chromium156_viewer_offer.sdp (recvonly). With --answer-cmd, each offer is piped to "CMD ROLE"
(e.g. build/.../sdp_answer_tool, ROLE publisher or viewer), and its stdout is applied with
setRemoteDescription; the script prints ACCEPTED/REJECTED per offer and fails on REJECTED."""
import functools, http.server, json, os, shutil, subprocess, sys, tempfile, threading, time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER_PORT = 9516


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{DRIVER_PORT}{path}", data,
                                 {"Content-Type": "application/json"}, method=method)
    return json.load(urllib.request.urlopen(req, timeout=60))["value"]


def main():
    out_dir = sys.argv[1]
    answer_cmd = sys.argv[sys.argv.index("--answer-cmd") + 1] if "--answer-cmd" in sys.argv else None
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=HERE)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    page = f"http://127.0.0.1:{httpd.server_address[1]}/offer.html"
    drv = subprocess.Popen(["chromedriver", f"--port={DRIVER_PORT}", "--allowed-ips=127.0.0.1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prof = tempfile.mkdtemp(prefix="sdp-chr-prof-")
    failed = False
    try:
        for _ in range(50):
            try:
                call("GET", "/status")
                break
            except Exception:
                time.sleep(0.1)
        args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={prof}", "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection"]
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/lib/chromium/chromium", "args": args}}}}
        sid = call("POST", "/session", caps)["sessionId"]
        for name, query, role in (("chromium156_offer.sdp", "", "publisher"),
                                  ("chromium156_simulcast_offer.sdp", "?simulcast=1", "publisher"),
                                  ("chromium156_viewer_offer.sdp", "?viewer=1", "viewer")):
            call("POST", f"/session/{sid}/url", {"url": page + query})
            title = ""
            for _ in range(80):
                title = call("GET", f"/session/{sid}/title")
                if title.startswith(("PASS", "FAIL")):
                    break
                time.sleep(0.25)
            print(name, title)
            if not title.startswith("PASS"):
                failed = True
                continue
            sdp = call("POST", f"/session/{sid}/execute/sync",
                       {"script": "return document.getElementById('sdp').textContent;", "args": []})
            with open(os.path.join(out_dir, name), "w", newline="") as f:
                f.write(sdp)
            if answer_cmd:
                answer = subprocess.run(f"{answer_cmd} {role}", shell=True, input=sdp.encode(), check=True,
                                        capture_output=True).stdout.decode()
                verdict = call("POST", f"/session/{sid}/execute/async", {
                    "script": "arguments[1](window.applyAnswer(arguments[0]));"
                              " // resolves to ACCEPTED/REJECTED", "args": [answer]})
                print(name, role, "answer:", verdict)
                failed |= not str(verdict).startswith("ACCEPTED")
                # Our a=simulcast:recv must leave Chromium sending all three rids.
                failed |= role == "publisher" and "simulcast" in name and ":sendonly:3" not in verdict
        call("DELETE", f"/session/{sid}")
    finally:
        drv.terminate()
        drv.wait()
        httpd.shutdown()
        shutil.rmtree(prof, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
