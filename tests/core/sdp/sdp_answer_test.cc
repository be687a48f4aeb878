#include "core/sdp/sdp_answer.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/sdp/sdp_parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/sdp/sdp_test_util.h"

namespace sfu::sdp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::PublisherConfig;
using testing::ReadFixture;
using testing::ViewerConfig;

// Re-parses the answer text with our own parser and checks what any answer must satisfy
// (RFC 8829 §5.3.1, RFC 8843 §7.3, RFC 8839, RFC 8122, RFC 4145), returning the parsed answer.
void CheckAnswerInto(const SessionDescription& offer, const SdpAnswer& answer,
                     const AnswerConfig& config, SessionDescription* out) {
  auto parsed = SdpParser().Parse(answer.sdp);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << answer.sdp;
  *out = *parsed;
  const SessionDescription& sd = *parsed;
  EXPECT_TRUE(sd.ice_lite);
  EXPECT_EQ(answer.sdp.find("\n\n"), std::string::npos);
  EXPECT_EQ(answer.sdp.substr(answer.sdp.size() - 2), "\r\n");
  EXPECT_EQ(sd.media.size(), offer.media.size());
  std::vector<std::string> accepted;
  for (size_t i = 0; i < sd.media.size() && i < offer.media.size(); ++i) {
    const MediaSection& a = sd.media[i];
    const MediaSection& o = offer.media[i];
    EXPECT_EQ(a.media, o.media);
    EXPECT_EQ(a.mid, o.mid);
    if (a.port == 0) {
      EXPECT_TRUE(a.candidates.empty());
      continue;
    }
    accepted.push_back(a.mid);
    EXPECT_EQ(a.setup, Setup::kPassive);
    EXPECT_EQ(a.ice_ufrag, config.ice_ufrag);
    EXPECT_EQ(a.ice_pwd, config.ice_pwd);
    ASSERT_EQ(a.fingerprints.size(), 1u);
    EXPECT_EQ(absl::StrCat(a.fingerprints[0].hash_function, " ", a.fingerprints[0].value),
              config.fingerprint);
    EXPECT_TRUE(a.rtcp_mux);
    EXPECT_EQ(a.rtcp_rsize, o.rtcp_rsize);
    EXPECT_TRUE(a.end_of_candidates);
    ASSERT_EQ(a.candidates.size(), config.candidates.size());
    for (size_t c = 0; c < a.candidates.size(); ++c) {
      EXPECT_EQ(a.candidates[c].address, config.candidates[c].ip.ToString());
      EXPECT_EQ(a.candidates[c].port, config.candidates[c].port);
      EXPECT_EQ(a.candidates[c].type, "host");
    }
    EXPECT_EQ(a.port, config.candidates[0].port);
    // Payload types: a subset of the offer's, with the offer's encodings.
    EXPECT_FALSE(a.payload_types.empty());
    for (uint8_t pt : a.payload_types) {
      EXPECT_NE(std::find(o.payload_types.begin(), o.payload_types.end(), pt),
                o.payload_types.end())
          << "pt " << int(pt);
      const RtpMap* ours = a.FindRtpMap(pt);
      const RtpMap* theirs = o.FindRtpMap(pt);
      ASSERT_NE(ours, nullptr);
      ASSERT_NE(theirs, nullptr);
      EXPECT_EQ(ours->encoding, theirs->encoding);
      EXPECT_EQ(ours->clock_rate, theirs->clock_rate);
    }
    // Extmap ids: each is an offered (id, uri) pair.
    for (const ExtMap& e : a.extmaps) {
      bool offered = std::any_of(o.extmaps.begin(), o.extmaps.end(),
                                 [&](const ExtMap& x) { return x.id == e.id && x.uri == e.uri; });
      offered |= std::any_of(offer.extmaps.begin(), offer.extmaps.end(),
                             [&](const ExtMap& x) { return x.id == e.id && x.uri == e.uri; });
      EXPECT_TRUE(offered) << e.id << " " << e.uri;
    }
    // rtcp-fb only for accepted payload types.
    for (const RtcpFb& fb : a.rtcp_fbs) {
      ASSERT_TRUE(fb.pt.has_value());
      EXPECT_NE(a.FindRtpMap(*fb.pt), nullptr);
    }
  }
  if (offer.BundleGroup() != nullptr) {
    ASSERT_NE(sd.BundleGroup(), nullptr);
    EXPECT_EQ(sd.BundleGroup()->mids, accepted);
  }
  EXPECT_EQ(answer.negotiated.bundle_mids, accepted);
}

SessionDescription CheckAnswer(const SessionDescription& offer, const SdpAnswer& answer,
                               const AnswerConfig& config) {
  SessionDescription sd;
  CheckAnswerInto(offer, answer, config, &sd);
  return sd;
}

absl::StatusOr<SdpAnswer> Answer(const std::string& text, const AnswerConfig& config,
                                 SessionDescription* offer_out = nullptr) {
  auto offer = SdpParser().Parse(text);
  if (!offer.ok()) return offer.status();
  if (offer_out != nullptr) *offer_out = *offer;
  return AnswerBuilder(config).Build(*offer);
}

std::vector<uint8_t> Pts(const NegotiatedMedia& m) {
  std::vector<uint8_t> out;
  for (const NegotiatedCodec& c : m.codecs) out.push_back(c.pt);
  return out;
}

TEST(SdpAnswerTest, ChromiumPublisher) {
  SessionDescription offer;
  AnswerConfig config = PublisherConfig();
  auto answer = Answer(ReadFixture("chromium156_offer.sdp"), config, &offer);
  ASSERT_TRUE(answer.ok()) << answer.status();
  SessionDescription sd = CheckAnswer(offer, *answer, config);
  ASSERT_EQ(sd.media.size(), 2u);
  EXPECT_TRUE(sd.extmap_allow_mixed);
  EXPECT_EQ(sd.media[0].direction, Direction::kRecvOnly);
  EXPECT_EQ(sd.media[1].direction, Direction::kRecvOnly);
  EXPECT_THAT(sd.media[0].payload_types, ElementsAre(111));
  EXPECT_EQ(sd.media[0].FindFmtp(111)->Get("useinbandfec"), "1");
  // Video: VP8, H.264 constrained baseline mode 1 (108, not 102/104/114), VP9 profile 0 (98,
  // not 100), AV1, then their RTX payload types.
  EXPECT_THAT(sd.media[1].payload_types, ElementsAre(96, 108, 98, 45, 97, 109, 99, 46));
  EXPECT_EQ(sd.media[1].FindFmtp(97)->Get("apt"), "96");
  EXPECT_EQ(sd.media[1].FindFmtp(109)->Get("apt"), "108");

  const NegotiatedSession& n = answer->negotiated;
  EXPECT_EQ(n.remote_ice_ufrag, "Dqs1");
  EXPECT_EQ(n.remote_ice_pwd, "XVJEg04nDYpeMI2hZF+Hi4jA");
  EXPECT_EQ(n.remote_fingerprint.substr(0, 13), "sha-256 41:9F");
  EXPECT_THAT(n.bundle_mids, ElementsAre("0", "1"));
  EXPECT_TRUE(n.extmap_allow_mixed);
  const NegotiatedMedia* audio = n.FindMedia("0");
  ASSERT_NE(audio, nullptr);
  EXPECT_TRUE(audio->accepted);
  EXPECT_EQ(audio->kind, MediaKind::kAudio);
  EXPECT_EQ(audio->direction, Direction::kRecvOnly);
  EXPECT_THAT(Pts(*audio), ElementsAre(111));
  EXPECT_EQ(audio->codecs[0].name, "opus");
  EXPECT_EQ(audio->codecs[0].channels, 2);
  // Offered transport-cc is declined (sfud sends no transport feedback): opus keeps none.
  EXPECT_TRUE(audio->codecs[0].rtcp_feedback.empty());
  EXPECT_EQ(audio->ExtensionId(kUriAudioLevel), 1);
  EXPECT_EQ(audio->ExtensionId(kUriAbsSendTime), 2);
  EXPECT_EQ(audio->ExtensionId(kUriTransportCc), std::nullopt);
  EXPECT_EQ(audio->ExtensionId(kUriMid), 4);
  ASSERT_EQ(audio->remote_sources.size(), 1u);
  EXPECT_EQ(audio->remote_sources[0].ssrc, 3493303324u);
  EXPECT_EQ(audio->remote_sources[0].cname, "WEQA/iaZeuDeFYFB");
  EXPECT_FALSE(audio->remote_sources[0].rtx_ssrc.has_value());
  ASSERT_TRUE(audio->remote_msid.has_value());
  EXPECT_EQ(audio->remote_msid->stream_id, "2618586b-f77c-4b12-8417-4664a736bd53");

  const NegotiatedMedia* video = n.FindMedia("1");
  ASSERT_NE(video, nullptr);
  EXPECT_THAT(Pts(*video), ElementsAre(96, 108, 98, 45));
  EXPECT_EQ(video->FindCodec(96)->rtx_pt, 97);
  EXPECT_EQ(video->FindCodec(108)->rtx_pt, 109);
  EXPECT_EQ(video->FindCodec(98)->rtx_pt, 99);
  EXPECT_EQ(video->FindCodec(45)->rtx_pt, 46);
  EXPECT_EQ(video->FindCodec(96)->rtcp_feedback.size(), 4u);  // all offered but transport-cc
  EXPECT_EQ(video->ExtensionId(kUriMid), 4);
  EXPECT_EQ(video->ExtensionId(kUriRid), 10);
  EXPECT_EQ(video->ExtensionId(kUriRepairedRid), 11);
  EXPECT_EQ(video->ExtensionId(kUriTransportCc), std::nullopt);
  EXPECT_EQ(video->ExtensionId("urn:ietf:params:rtp-hdrext:toffset"), std::nullopt);
  ASSERT_EQ(video->remote_sources.size(), 1u);
  EXPECT_EQ(video->remote_sources[0].ssrc, 1565153511u);
  EXPECT_EQ(video->remote_sources[0].rtx_ssrc, 3399283746u);
  EXPECT_TRUE(video->remote_rids.empty());
}

// Real Chromium 156 negotiated transport-cc from our earlier answers, got no transport feedback
// from sfud and held its video at the 30 kbps floor (320x240, 9 fps). Neither a publisher nor a
// viewer answer may promise that feedback.
TEST(SdpAnswerTest, NoTransportWideCongestionControlIsPromised) {
  for (const auto& [fixture, config] :
       {std::pair{"chromium156_offer.sdp", PublisherConfig()},
        std::pair{"chromium156_viewer_offer.sdp", ViewerConfig()}}) {
    auto answer = Answer(ReadFixture(fixture), config);
    ASSERT_TRUE(answer.ok()) << fixture << ": " << answer.status();
    EXPECT_THAT(answer->sdp, ::testing::Not(HasSubstr("transport-cc"))) << fixture;
    EXPECT_THAT(answer->sdp, ::testing::Not(HasSubstr("transport-wide-cc"))) << fixture;
    EXPECT_THAT(answer->sdp, HasSubstr("a=rtcp-fb:96 goog-remb\r\n")) << fixture;
    for (const NegotiatedMedia& m : answer->negotiated.media) {
      EXPECT_EQ(m.ExtensionId(kUriTransportCc), std::nullopt) << fixture << " mid " << m.mid;
    }
  }
}

TEST(SdpAnswerTest, ChromiumSimulcastPublisher) {
  SessionDescription offer;
  AnswerConfig config = PublisherConfig();
  auto answer = Answer(ReadFixture("chromium156_simulcast_offer.sdp"), config, &offer);
  ASSERT_TRUE(answer.ok()) << answer.status();
  SessionDescription sd = CheckAnswer(offer, *answer, config);
  const MediaSection& video = sd.media[1];
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0].id, "h");
  EXPECT_EQ(video.rids[0].direction, RidDirection::kRecv);
  ASSERT_TRUE(video.simulcast.has_value());
  EXPECT_TRUE(video.simulcast->send.empty());
  ASSERT_EQ(video.simulcast->recv.size(), 3u);
  EXPECT_EQ(video.simulcast->recv[2][0].rid, "l");
  EXPECT_THAT(answer->sdp, HasSubstr("a=simulcast:recv h;m;l\r\n"));
  EXPECT_THAT(answer->sdp, HasSubstr("a=rid:m recv\r\n"));
  const NegotiatedMedia* n = answer->negotiated.FindMedia("1");
  ASSERT_EQ(n->remote_rids.size(), 3u);
  EXPECT_EQ(n->remote_rids[1].rid, "m");
  EXPECT_EQ(n->ExtensionId(kUriRid), 10);
}

TEST(SdpAnswerTest, SimulcastCanBeDeclined) {
  AnswerConfig config = PublisherConfig();
  config.accept_simulcast = false;
  auto answer = Answer(ReadFixture("chromium156_simulcast_offer.sdp"), config);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_THAT(answer->sdp, ::testing::Not(HasSubstr("a=simulcast")));
  EXPECT_THAT(answer->sdp, ::testing::Not(HasSubstr("a=rid")));
}

TEST(SdpAnswerTest, WeriftPublisher) {
  SessionDescription offer;
  AnswerConfig config = PublisherConfig();
  auto answer = Answer(ReadFixture("werift_offer.sdp"), config, &offer);
  ASSERT_TRUE(answer.ok()) << answer.status();
  SessionDescription sd = CheckAnswer(offer, *answer, config);
  EXPECT_THAT(sd.media[0].payload_types, ElementsAre(96));
  EXPECT_EQ(sd.media[0].FindRtpMap(96)->encoding, "OPUS");  // the offerer's spelling
  EXPECT_THAT(sd.media[1].payload_types, ElementsAre(98));
  EXPECT_TRUE(sd.media[1].extmaps.empty());
  const NegotiatedMedia* video = answer->negotiated.FindMedia("1");
  EXPECT_FALSE(video->codecs[0].rtx_pt.has_value());
  ASSERT_EQ(video->codecs[0].rtcp_feedback.size(), 3u);  // nack, nack pli, goog-remb
  EXPECT_EQ(video->remote_sources[0].ssrc, 2261837367u);
  EXPECT_TRUE(sd.extmap_allow_mixed);
}

TEST(SdpAnswerTest, FirefoxStylePublisher) {
  SessionDescription offer;
  AnswerConfig config = PublisherConfig();
  auto answer = Answer(ReadFixture("firefox_style_offer.sdp"), config, &offer);
  ASSERT_TRUE(answer.ok()) << answer.status();
  SessionDescription sd = CheckAnswer(offer, *answer, config);
  // sendrecv offered, sfud only receives from a publisher.
  EXPECT_EQ(sd.media[0].direction, Direction::kRecvOnly);
  EXPECT_THAT(sd.media[0].payload_types, ElementsAre(109));
  EXPECT_FALSE(sd.media[0].rtcp_rsize);
  EXPECT_TRUE(sd.media[1].rtcp_rsize);
  // VP8 + rtx 124, H.264 mode 1 (126, not mode-0 97) + rtx 127, VP9 + rtx 125.
  EXPECT_THAT(sd.media[1].payload_types, ElementsAre(120, 126, 121, 124, 127, 125));
  const NegotiatedMedia* audio = answer->negotiated.FindMedia("0");
  EXPECT_EQ(audio->ExtensionId(kUriAudioLevel), 1);
  EXPECT_EQ(audio->ExtensionId(kUriMid), 3);
  EXPECT_EQ(audio->extensions.size(), 2u);  // csrc-audio-level not supported
  const NegotiatedMedia* video = answer->negotiated.FindMedia("1");
  EXPECT_EQ(video->ExtensionId(kUriTransportCc), std::nullopt);
  EXPECT_EQ(video->ExtensionId("http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"),
            std::nullopt);
  EXPECT_EQ(video->remote_sources[0].ssrc, 3101597410u);
  EXPECT_EQ(video->remote_sources[0].rtx_ssrc, 1248770653u);
  EXPECT_EQ(answer->negotiated.remote_fingerprint.substr(0, 13), "sha-256 1D:5B");
}

TEST(SdpAnswerTest, ExtmapDirectionIsMirrored) {
  std::string text = ReadFixture("firefox_style_offer.sdp");
  text = absl::StrReplaceAll(text, {{"a=extmap:4 http", "a=extmap:4/sendonly http"}});
  auto answer = Answer(text, PublisherConfig());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_THAT(answer->sdp,
              HasSubstr("a=extmap:4/recvonly http://www.webrtc.org/experiments/rtp-hdrext/"
                        "abs-send-time\r\n"));
}

TEST(SdpAnswerTest, AbsCaptureTimeWhenConfigured) {
  std::string text = ReadFixture("werift_offer.sdp");
  text = absl::StrReplaceAll(text,
                             {{"a=mid:0\r\n",
                               "a=mid:0\r\na=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/"
                               "abs-capture-time\r\n"}});
  AnswerConfig config = PublisherConfig();
  auto answer = Answer(text, config);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->negotiated.media[0].ExtensionId(kUriAbsCaptureTime), std::nullopt);
  config.header_extensions = DefaultHeaderExtensions(/*abs_capture_time=*/true);
  answer = Answer(text, config);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->negotiated.media[0].ExtensionId(kUriAbsCaptureTime), 7);
}

TEST(SdpAnswerTest, ViewerAnswersSendonlyWithOurStreams) {
  // A real WHEP-style viewer offer: recvonly audio + video transceivers.
  std::string text = ReadFixture("chromium156_viewer_offer.sdp");
  SessionDescription offer;
  AnswerConfig config = ViewerConfig();
  auto answer = Answer(text, config, &offer);
  ASSERT_TRUE(answer.ok()) << answer.status();
  SessionDescription sd = CheckAnswer(offer, *answer, config);
  EXPECT_EQ(sd.msid_semantic, "WMS");
  EXPECT_THAT(sd.msid_semantic_ids, ElementsAre("room-1"));
  EXPECT_EQ(sd.media[0].direction, Direction::kSendOnly);
  ASSERT_EQ(sd.media[0].msids.size(), 1u);
  EXPECT_EQ(sd.media[0].msids[0].track_id, "audio-1");
  EXPECT_TRUE(sd.media[0].ssrc_groups.empty());
  EXPECT_THAT(answer->sdp, HasSubstr("a=ssrc:1111 cname:sfud-cname\r\n"));
  EXPECT_THAT(answer->sdp, HasSubstr("a=ssrc-group:FID 2222 3333\r\n"));
  EXPECT_THAT(answer->sdp, HasSubstr("a=ssrc:3333 msid:room-1 video-1\r\n"));
  EXPECT_EQ(answer->negotiated.media[1].local_track->ssrc, 2222u);
  EXPECT_EQ(answer->negotiated.remote_ice_ufrag, "9JJf");
  EXPECT_THAT(Pts(answer->negotiated.media[1]), ElementsAre(96, 108, 98, 45));
  EXPECT_TRUE(answer->negotiated.media[1].remote_sources.empty());
}

TEST(SdpAnswerTest, ViewerWithoutTrackIsInactive) {
  std::string text = ReadFixture("chromium156_viewer_offer.sdp");
  AnswerConfig config = ViewerConfig();
  config.tracks.pop_back();  // audio only
  auto answer = Answer(text, config);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->negotiated.media[1].direction, Direction::kInactive);
  EXPECT_TRUE(answer->negotiated.media[1].accepted);
}

TEST(SdpAnswerTest, PublisherOfferingOnlyToReceiveIsInactive) {
  std::string text =
      absl::StrReplaceAll(ReadFixture("werift_offer.sdp"), {{"a=sendonly", "a=recvonly"}});
  auto answer = Answer(text, PublisherConfig());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->negotiated.media[0].direction, Direction::kInactive);
}

constexpr char kTransport[] =
    "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
    "a=fingerprint:sha-256 "
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:"
    "EE:FF\r\na=setup:actpass\r\n";

std::string Offer(const std::string& session, const std::string& media) {
  return absl::StrCat("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", session, media);
}

std::string AudioSection(const std::string& mid, const std::string& extra = "") {
  return absl::StrCat("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n", kTransport,
                      "a=mid:", mid, "\r\na=sendonly\r\na=rtcp-mux\r\n",
                      "a=rtpmap:111 opus/48000/2\r\n", extra);
}

TEST(SdpAnswerTest, RejectsDataChannelAndUnknownCodecsWithPortZero) {
  std::string text = Offer(
      "a=group:BUNDLE 0 1 2 3\r\n",
      absl::StrCat(AudioSection("0"), "m=video 9 UDP/TLS/RTP/SAVPF 100\r\nc=IN IP4 0.0.0.0\r\n",
                   kTransport, "a=mid:1\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:100 H265/90000\r\n",
                   "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n",
                   kTransport, "a=mid:2\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n",
                   "m=text 9 UDP/TLS/RTP/SAVPF 98\r\n", kTransport, "a=mid:3\r\na=rtcp-mux\r\n"));
  SessionDescription offer;
  AnswerConfig config = PublisherConfig();
  auto answer = Answer(text, config, &offer);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(offer.media[2].sctp_port, 5000);
  EXPECT_EQ(offer.media[2].max_message_size, 262144u);
  SessionDescription sd = CheckAnswer(offer, *answer, config);
  EXPECT_THAT(sd.BundleGroup()->mids, ElementsAre("0"));
  EXPECT_EQ(sd.media[1].port, 0);
  EXPECT_EQ(sd.media[2].port, 0);
  EXPECT_EQ(sd.media[3].port, 0);
  EXPECT_THAT(answer->sdp,
              HasSubstr("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
                        "a=mid:2\r\n"));
  EXPECT_FALSE(answer->negotiated.media[2].accepted);
}

TEST(SdpAnswerTest, SectionRules) {
  // Outside the BUNDLE group, without rtcp-mux, and offerer-rejected sections are rejected.
  std::string no_mux = absl::StrReplaceAll(AudioSection("2"), {{"a=rtcp-mux\r\n", ""}});
  std::string rejected = absl::StrReplaceAll(AudioSection("3"), {{"m=audio 9", "m=audio 0"}});
  std::string bundle_only =
      absl::StrReplaceAll(AudioSection("4", "a=bundle-only\r\n"), {{"m=audio 9", "m=audio 0"}});
  std::string text =
      Offer("a=group:BUNDLE 0 2 3 4\r\n",
            absl::StrCat(AudioSection("0"), AudioSection("1"), no_mux, rejected, bundle_only));
  SessionDescription offer;
  AnswerConfig config = PublisherConfig();
  auto answer = Answer(text, config, &offer);
  ASSERT_TRUE(answer.ok()) << answer.status();
  SessionDescription sd = CheckAnswer(offer, *answer, config);
  EXPECT_THAT(sd.BundleGroup()->mids, ElementsAre("0", "4"));  // bundle-only port 0 is live
}

TEST(SdpAnswerTest, RidPayloadRestrictionsAndWildcardFeedback) {
  // RFC 8851 §6: rid "b" only allows H265 (not accepted), so it cannot be received and is dropped
  // from the answer's rids and simulcast list; "a" keeps only the accepted pt. RFC 4585 §4.2: the
  // "*" feedback applies to every accepted codec.
  std::string video = absl::StrCat(
      "m=video 9 UDP/TLS/RTP/SAVPF 96 100\r\n", kTransport,
      "a=mid:v\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n"
      "a=rtpmap:100 H265/90000\r\na=rtcp-fb:* nack\r\na=rtcp-fb:* x-unknown\r\n"
      "a=rid:a send pt=96,100;max-width=1280\r\na=rid:b send pt=100\r\na=rid:c send\r\n"
      "a=simulcast:send a;~c;b\r\n");
  auto answer = Answer(Offer("a=group:BUNDLE v\r\n", video), PublisherConfig());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_THAT(answer->sdp, HasSubstr("a=rtcp-fb:96 nack\r\na=rid:a recv pt=96;max-width=1280\r\n"
                                     "a=rid:c recv\r\na=simulcast:recv a;~c\r\n"));
  const NegotiatedMedia& m = answer->negotiated.media[0];
  ASSERT_EQ(m.remote_rids.size(), 2u);
  EXPECT_TRUE(m.remote_rids[1].paused);
  ASSERT_EQ(m.codecs.size(), 1u);
  ASSERT_EQ(m.codecs[0].rtcp_feedback.size(), 1u);
  EXPECT_EQ(m.codecs[0].rtcp_feedback[0].type, "nack");
}

TEST(SdpAnswerTest, WithoutBundleOnlyTheFirstSectionIsAccepted) {
  std::string text = Offer("", absl::StrCat(AudioSection("a"), AudioSection("b")));
  SessionDescription offer;
  AnswerConfig config = PublisherConfig();
  auto answer = Answer(text, config, &offer);
  ASSERT_TRUE(answer.ok()) << answer.status();
  SessionDescription sd = CheckAnswer(offer, *answer, config);
  EXPECT_EQ(sd.BundleGroup(), nullptr);
  EXPECT_EQ(sd.media[0].port, 40000);
  EXPECT_EQ(sd.media[1].port, 0);
}

TEST(SdpAnswerTest, OfferErrors) {
  struct Case {
    std::string text;
    const char* message;
  };
  const std::string no_fp = absl::StrReplaceAll(AudioSection("0"), {{"a=fingerprint:", "a=x:"}});
  const std::string sha1 = absl::StrReplaceAll(AudioSection("0"), {{"sha-256", "sha-1"}});
  const std::string passive =
      absl::StrReplaceAll(AudioSection("0"), {{"setup:actpass", "setup:passive"}});
  const std::string no_ice = absl::StrReplaceAll(AudioSection("0"), {{"a=ice-ufrag:abcd\r\n", ""}});
  const Case cases[] = {
      {Offer("", no_fp), "no sha-256 fingerprint for mid 0"},
      {Offer("", sha1), "no sha-256 fingerprint for mid 0"},
      {Offer("", passive), "a=setup:passive for mid 0"},
      {Offer("", no_ice), "no ICE credentials for mid 0"},
      {Offer("a=group:BUNDLE 0\r\n", absl::StrCat(AudioSection("0"), AudioSection("0"))),
       "duplicate mid 0"},
      {Offer("",
             "m=video 9 UDP/TLS/RTP/SAVPF 100\r\na=mid:0\r\na=rtcp-mux\r\n"
             "a=rtpmap:100 H265/90000\r\n"),
       "no media section sfud can accept"},
      {Offer("", ""), "no media section sfud can accept"},
  };
  for (const Case& c : cases) {
    auto answer = Answer(c.text, PublisherConfig());
    ASSERT_FALSE(answer.ok()) << c.message;
    EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(answer.status().message()), HasSubstr(c.message));
  }
}

TEST(SdpAnswerTest, ConfigErrors) {
  auto offer = SdpParser().Parse(ReadFixture("werift_offer.sdp"));
  ASSERT_TRUE(offer.ok());
  AnswerConfig c = PublisherConfig();
  c.candidates.clear();
  EXPECT_FALSE(AnswerBuilder(c).Build(*offer).ok());
  c = PublisherConfig();
  c.fingerprint = "sha-1 AB:CD";
  EXPECT_FALSE(AnswerBuilder(c).Build(*offer).ok());
  c = PublisherConfig();
  c.ice_pwd = "short";
  EXPECT_FALSE(AnswerBuilder(c).Build(*offer).ok());
}

TEST(SdpAnswerTest, SessionLevelFields) {
  AnswerConfig config = PublisherConfig();
  config.session_id = 42;
  config.session_version = 7;
  auto answer = Answer(ReadFixture("chromium156_offer.sdp"), config);
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(absl::StartsWith(answer->sdp, "v=0\r\no=- 42 7 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"))
      << answer->sdp;
  EXPECT_THAT(answer->sdp, HasSubstr("\r\na=ice-lite\r\na=group:BUNDLE 0 1\r\n"));
  // RFC 8445 §5.1.2.1 host priorities: 126 << 24 | 65535 << 8 | 255, then local pref 65534.
  EXPECT_THAT(answer->sdp, HasSubstr("a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n"
                                     "a=candidate:2 1 udp 2130706175 ::1 40000 typ host\r\n"
                                     "a=end-of-candidates\r\n"));
}

}  // namespace
}  // namespace sfu::sdp
