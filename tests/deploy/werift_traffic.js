// Traffic for the live dashboard test (sfud_dashboard_live_test.sh): one werift WHIP publisher
// (VP8 video, a keyframe every second, a deliberately skipped sequence number every 50 packets so
// sfud NACKs the publisher) and SUBSCRIBERS werift WHEP viewers of the same room. Each viewer,
// once media flows, sends a PLI (sfud forwards a keyframe request to the publisher) and a generic
// NACK for packets it did receive (sfud answers from its retransmission buffer). Sessions are
// DELETEd at the end. Prints one RESULT line of JSON; exits 0 only if every viewer received media.
//   node werift_traffic.js HTTP_BASE ROOM SECONDS SUBSCRIBERS
const {
  RTCPeerConnection, MediaStreamTrack, RtpPacket, RtpHeader, GenericNack,
  RtcpTransportLayerFeedback,
} = require('werift');

const [base, room, secs, subscriberCount] =
    [process.argv[2], process.argv[3], +(process.argv[4] || 8), +(process.argv[5] || 2)];

function newPc() {
  return new RTCPeerConnection({
    bundlePolicy: 'max-bundle', iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],  // werift skips loopback unless added here
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
  });
}

// Non-trickle WHIP/WHEP: offer with all candidates, POST it, apply the 201 answer.
async function signal(pc, url) {
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') {
    await pc.iceGatheringStateChange.watch(s => s === 'complete');
  }
  const res = await fetch(url, {
    method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp,
  });
  const answer = await res.text();
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${answer}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  return { answer, location: new URL(res.headers.get('location'), url).toString() };
}

async function publish() {
  const pc = newPc();
  const track = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(track, { direction: 'sendonly' });
  const { answer, location } = await signal(pc, `${base}/whip/${room}`);
  const pt = +(answer.match(/a=rtpmap:(\d+) VP8\/90000/i) || [0, 96])[1];
  let seq = 0, ts = 0, frame = 0;
  const stats = { sent: 0, skipped: 0 };
  // 30 frames/s, one 300-byte packet each; VP8 payload descriptor S=1 PID=0 (RFC 7741 §4.2),
  // payload header P bit 0 on keyframes (§4.3).
  const timer = setInterval(() => {
    const key = frame % 30 === 0;
    const payload = Buffer.alloc(300, 0x55);
    payload[0] = 0x10;
    payload[1] = key ? 0x00 : 0x01;
    if (frame > 0 && frame % 50 === 0) { seq++; stats.skipped++; }  // a loss sfud will NACK
    track.writeRtp(new RtpPacket(new RtpHeader({
      payloadType: pt, sequenceNumber: seq++ & 0xffff, timestamp: ts, marker: true,
    }), payload));
    ts += 3000; frame++; stats.sent++;
  }, 33);
  return { pc, location, stats, stop: () => clearInterval(timer) };
}

async function subscribe(index) {
  const pc = newPc();
  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  const stats = { received: 0, plis: 0, nacked: 0 };
  const seqs = [];
  pc.onTrack.subscribe(track => {
    track.onReceiveRtp.subscribe(async rtp => {
      stats.received++;
      seqs.push(rtp.header.sequenceNumber);
      if (seqs.length > 20) seqs.shift();
      // After some media: ask for a keyframe, then for a retransmission of packets that did
      // arrive (so sfud's buffer has them), a few times over the run.
      if (stats.received % 40 === 20) {
        const receiver = transceiver.receiver;
        await receiver.sendRtcpPLI(rtp.header.ssrc).catch(() => {});
        stats.plis++;
        const lost = seqs.slice(-6, -2);
        const nack = new GenericNack({
          senderSsrc: receiver.rtcpSsrc, mediaSourceSsrc: rtp.header.ssrc, lost,
        });
        await receiver.dtlsTransport.sendRtcp([new RtcpTransportLayerFeedback({ feedback: nack })])
          .catch(() => {});
        stats.nacked += lost.length;
      }
    });
  });
  const { location } = await signal(pc, `${base}/whep/${room}`);
  return { pc, location, stats, index };
}

(async () => {
  const publisher = await publish();
  const subscribers = [];
  for (let i = 0; i < subscriberCount; i++) subscribers.push(await subscribe(i));
  await new Promise(r => setTimeout(r, secs * 1000));
  publisher.stop();
  const result = {
    publisher: { state: publisher.pc.connectionState, ...publisher.stats },
    subscribers: subscribers.map(s => ({ state: s.pc.connectionState, ...s.stats })),
  };
  console.log('RESULT', JSON.stringify(result));
  for (const s of [publisher, ...subscribers]) {
    await fetch(s.location, { method: 'DELETE' }).catch(() => {});
    await s.pc.close().catch(() => {});
  }
  process.exit(subscribers.every(s => s.stats.received > 0 && s.stats.nacked > 0) ? 0 : 1);
})().catch(e => { console.error(e); process.exit(2); });
