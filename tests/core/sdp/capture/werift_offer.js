// Prints a real werift (TypeScript WebRTC) publisher offer: sendonly audio + video, ICE gathering
// complete. Run from a directory where `npm install werift@0.24` was done (NODE_PATH or copy):
//   /work/shared/peers/netns_run.sh node werift_offer.js > ../fixtures/werift_offer.sdp
const { RTCPeerConnection, MediaStreamTrack } = require('werift');
(async () => {
  const pc = new RTCPeerConnection({
    bundlePolicy: 'max-bundle',
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],  // werift skips loopback otherwise
  });
  pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
  pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') {
    await pc.iceGatheringStateChange.watch((s) => s === 'complete');
  }
  process.stdout.write(pc.localDescription.sdp);
  await pc.close();
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(2); });
