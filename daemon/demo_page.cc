#include "daemon/demo_page.h"

namespace sfu::daemon {

std::string_view DemoPageHtml() {
  static constexpr std::string_view kHtml = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sfud demo</title>
<style>
body { font-family: sans-serif; margin: 1em; }
video { width: 45vw; background: #000; }
fieldset { margin-bottom: 1em; }
#log { white-space: pre-wrap; font-family: monospace; font-size: 12px; }
</style>
</head>
<body>
<h1>sfud</h1>
<fieldset>
  <label>Room <input id="room" value="demo"></label>
  <label>Bearer token (optional) <input id="token" type="password"></label>
</fieldset>
<fieldset>
  <button id="publish">Publish camera (WHIP)</button>
  <button id="play">Play room (WHEP)</button>
  <button id="stop">Stop</button>
</fieldset>
<video id="local" autoplay muted playsinline></video>
<div id="remotes"></div>
<div id="log"></div>
<script>
"use strict";
const sessions = [];
function log(text) {
  document.getElementById("log").textContent += new Date().toISOString() + " " + text + "\n";
}
function headers(contentType) {
  const h = { "Content-Type": contentType };
  const token = document.getElementById("token").value;
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}
// WHIP/WHEP: POST the complete offer (after ICE gathering), apply the answer, keep Location.
async function negotiate(kind, pc) {
  const room = encodeURIComponent(document.getElementById("room").value);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") resolve();
    });
    setTimeout(resolve, 2000);
  });
  const response = await fetch("/" + kind + "/" + room, {
    method: "POST", headers: headers("application/sdp"), body: pc.localDescription.sdp });
  if (response.status !== 201) {
    throw new Error(kind + " POST failed: " + response.status + " " + await response.text());
  }
  const location = new URL(response.headers.get("Location"), document.baseURI).href;
  await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
  sessions.push({ pc, location });
  pc.addEventListener("connectionstatechange", () => log(kind + " " + pc.connectionState));
  log(kind + " session " + location);
}
document.getElementById("publish").onclick = async () => {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    document.getElementById("local").srcObject = stream;
    const pc = new RTCPeerConnection();
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly" });
    await negotiate("whip", pc);
  } catch (e) { log(String(e)); }
};
document.getElementById("play").onclick = async () => {
  try {
    const pc = new RTCPeerConnection();
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.addTransceiver("video", { direction: "recvonly" });
    // A video element per viewer session: a later Play must not detach an earlier one's media.
    const video = document.createElement("video");
    Object.assign(video, { autoplay: true, playsInline: true, controls: true });
    document.getElementById("remotes").appendChild(video);
    const remote = new MediaStream();
    video.srcObject = remote;
    pc.ontrack = (event) => remote.addTrack(event.track);
    await negotiate("whep", pc);
  } catch (e) { log(String(e)); }
};
document.getElementById("stop").onclick = async () => {
  document.getElementById("remotes").replaceChildren();
  while (sessions.length > 0) {
    const { pc, location } = sessions.pop();
    pc.close();
    const token = document.getElementById("token").value;
    await fetch(location, { method: "DELETE",
                            headers: token ? { "Authorization": "Bearer " + token } : {} });
    log("deleted " + location);
  }
};
</script>
</body>
</html>
)html";
  return kHtml;
}

}  // namespace sfu::daemon
