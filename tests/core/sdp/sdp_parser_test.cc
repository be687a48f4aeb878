#include "core/sdp/sdp_parser.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/sdp/sdp_test_util.h"

namespace sfu::sdp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadFixture;

const RtcpFb* FindFb(const MediaSection& m, uint8_t pt, const std::string& type,
                     const std::string& subtype) {
  for (const RtcpFb& fb : m.rtcp_fbs) {
    if (fb.pt == pt && fb.type == type && fb.subtype == subtype) return &fb;
  }
  return nullptr;
}

const ExtMap* FindExt(const MediaSection& m, uint16_t id) {
  for (const ExtMap& e : m.extmaps) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

// Values below are read off the captured text by eye (fixtures/chromium156_offer.sdp).
TEST(SdpParserTest, ChromiumOffer) {
  std::string text = ReadFixture("chromium156_offer.sdp");
  ASSERT_FALSE(text.empty());
  auto sd = SdpParser().Parse(text);
  ASSERT_TRUE(sd.ok()) << sd.status();
  EXPECT_EQ(sd->origin.session_id, "4944604194192457057");
  EXPECT_EQ(sd->origin.session_version, "2");
  ASSERT_NE(sd->BundleGroup(), nullptr);
  EXPECT_THAT(sd->BundleGroup()->mids, ElementsAre("0", "1"));
  EXPECT_TRUE(sd->extmap_allow_mixed);
  EXPECT_EQ(sd->msid_semantic, "WMS");
  EXPECT_THAT(sd->msid_semantic_ids, ElementsAre("2618586b-f77c-4b12-8417-4664a736bd53"));
  ASSERT_EQ(sd->media.size(), 2u);

  const MediaSection& audio = sd->media[0];
  EXPECT_EQ(audio.kind, MediaKind::kAudio);
  EXPECT_EQ(audio.port, 42715);
  EXPECT_EQ(audio.proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_THAT(audio.payload_types, ElementsAre(111, 63, 9, 0, 8, 13, 110, 126));
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(sd->IceUfrag(audio), "Dqs1");
  EXPECT_EQ(sd->IcePwd(audio), "XVJEg04nDYpeMI2hZF+Hi4jA");
  EXPECT_THAT(audio.ice_options, ElementsAre("trickle"));
  ASSERT_EQ(sd->Fingerprints(audio).size(), 1u);
  EXPECT_EQ(sd->Fingerprints(audio)[0].hash_function, "sha-256");
  EXPECT_EQ(sd->Fingerprints(audio)[0].value,
            "41:9F:57:57:D8:8C:BA:43:F4:62:7C:FB:14:BC:67:87:E5:48:C3:C7:AD:35:1D:64:AD:1B:91:84:"
            "D1:52:82:5A");
  EXPECT_EQ(sd->SetupOf(audio), Setup::kActPass);
  EXPECT_EQ(sd->DirectionOf(audio), Direction::kSendOnly);
  EXPECT_TRUE(audio.rtcp_mux);
  EXPECT_TRUE(audio.rtcp_rsize);
  const RtpMap* opus = audio.FindRtpMap(111);
  ASSERT_NE(opus, nullptr);
  EXPECT_EQ(opus->encoding, "opus");
  EXPECT_EQ(opus->clock_rate, 48000u);
  EXPECT_EQ(opus->channels, 2);
  ASSERT_NE(audio.FindFmtp(111), nullptr);
  EXPECT_EQ(audio.FindFmtp(111)->Get("useinbandfec"), "1");
  EXPECT_EQ(audio.FindFmtp(111)->Get("minptime"), "10");
  // RED's "111/111" is not key=value: kept as a bare value.
  ASSERT_NE(audio.FindFmtp(63), nullptr);
  ASSERT_EQ(audio.FindFmtp(63)->params.size(), 1u);
  EXPECT_EQ(audio.FindFmtp(63)->params[0].key, "");
  EXPECT_EQ(audio.FindFmtp(63)->params[0].value, "111/111");
  EXPECT_NE(FindFb(audio, 111, "transport-cc", ""), nullptr);
  ASSERT_NE(FindExt(audio, 1), nullptr);
  EXPECT_EQ(FindExt(audio, 1)->uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
  ASSERT_NE(FindExt(audio, 4), nullptr);
  EXPECT_EQ(FindExt(audio, 4)->uri, "urn:ietf:params:rtp-hdrext:sdes:mid");
  ASSERT_EQ(audio.msids.size(), 1u);
  EXPECT_EQ(audio.msids[0].track_id, "61b625c6-496f-4691-bb02-6405a0007f8c");
  ASSERT_EQ(audio.ssrcs.size(), 2u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 3493303324u);
  EXPECT_EQ(audio.ssrcs[0].attribute, "cname");
  EXPECT_EQ(audio.ssrcs[0].value, "WEQA/iaZeuDeFYFB");
  EXPECT_EQ(audio.ssrcs[1].attribute, "msid");
  EXPECT_EQ(audio.ssrcs[1].value,
            "2618586b-f77c-4b12-8417-4664a736bd53 61b625c6-496f-4691-bb02-6405a0007f8c");
  ASSERT_EQ(audio.candidates.size(), 2u);
  const Candidate& host = audio.candidates[0];
  EXPECT_EQ(host.foundation, "730715533");
  EXPECT_EQ(host.component, 1);
  EXPECT_EQ(host.transport, "udp");
  EXPECT_EQ(host.priority, 2122260223u);
  EXPECT_EQ(host.address, "127.0.0.1");
  EXPECT_EQ(host.port, 42715);
  EXPECT_EQ(host.type, "host");
  ASSERT_EQ(host.extensions.size(), 3u);
  EXPECT_EQ(host.extensions[0], std::make_pair(std::string("generation"), std::string("0")));
  EXPECT_EQ(host.extensions[2], std::make_pair(std::string("network-cost"), std::string("50")));
  EXPECT_EQ(audio.candidates[1].transport, "tcp");
  EXPECT_EQ(audio.candidates[1].extensions[0].second, "active");  // tcptype
  // a=rtcp and a=rtcp-xr are not modelled: kept, not lost.
  ASSERT_EQ(audio.other_attributes.size(), 2u);
  EXPECT_EQ(audio.other_attributes[0].name, "rtcp");
  EXPECT_EQ(audio.other_attributes[0].value, "9 IN IP4 0.0.0.0");

  const MediaSection& video = sd->media[1];
  EXPECT_EQ(video.kind, MediaKind::kVideo);
  EXPECT_EQ(video.port, 9);
  EXPECT_EQ(video.payload_types.size(), 23u);
  EXPECT_EQ(video.FindRtpMap(96)->encoding, "VP8");
  EXPECT_EQ(video.FindRtpMap(97)->encoding, "rtx");
  EXPECT_EQ(video.FindFmtp(97)->Get("apt"), "96");
  EXPECT_EQ(video.FindFmtp(108)->Get("profile-level-id"), "42e01f");
  EXPECT_EQ(video.FindFmtp(108)->Get("packetization-mode"), "1");
  EXPECT_EQ(video.FindFmtp(109)->Get("apt"), "108");
  EXPECT_EQ(video.FindRtpMap(45)->encoding, "AV1");
  EXPECT_EQ(video.FindFmtp(100)->Get("profile-id"), "2");
  EXPECT_NE(FindFb(video, 96, "nack", "pli"), nullptr);
  EXPECT_NE(FindFb(video, 96, "ccm", "fir"), nullptr);
  EXPECT_NE(FindFb(video, 96, "goog-remb", ""), nullptr);
  ASSERT_NE(FindExt(video, 10), nullptr);
  EXPECT_EQ(FindExt(video, 10)->uri, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id");
  EXPECT_EQ(FindExt(video, 14)->uri, "urn:ietf:params:rtp-hdrext:toffset");
  ASSERT_EQ(video.ssrc_groups.size(), 1u);
  EXPECT_EQ(video.ssrc_groups[0].semantics, "FID");
  EXPECT_THAT(video.ssrc_groups[0].ssrcs, ElementsAre(1565153511u, 3399283746u));
  EXPECT_TRUE(video.candidates.empty());
  EXPECT_FALSE(video.end_of_candidates);
}

TEST(SdpParserTest, ChromiumSimulcastOffer) {
  auto sd = SdpParser().Parse(ReadFixture("chromium156_simulcast_offer.sdp"));
  ASSERT_TRUE(sd.ok()) << sd.status();
  const MediaSection& video = sd->media[1];
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0].id, "h");
  EXPECT_EQ(video.rids[0].direction, RidDirection::kSend);
  EXPECT_EQ(video.rids[2].id, "l");
  ASSERT_TRUE(video.simulcast.has_value());
  ASSERT_EQ(video.simulcast->send.size(), 3u);
  EXPECT_EQ(video.simulcast->send[1][0].rid, "m");
  EXPECT_FALSE(video.simulcast->send[1][0].paused);
  EXPECT_TRUE(video.simulcast->recv.empty());
  EXPECT_TRUE(video.ssrcs.empty());  // with rids Chromium announces no SSRCs
  EXPECT_EQ(FindExt(video, 12)->uri,
            "https://aomediacodec.github.io/av1-rtp-spec/"
            "#dependency-descriptor-rtp-header-extension");
  EXPECT_EQ(sd->IceUfrag(video), "JBlv");
}

TEST(SdpParserTest, ChromiumViewerOffer) {
  auto sd = SdpParser().Parse(ReadFixture("chromium156_viewer_offer.sdp"));
  ASSERT_TRUE(sd.ok()) << sd.status();
  EXPECT_EQ(sd->msid_semantic, "WMS");
  EXPECT_TRUE(sd->msid_semantic_ids.empty());
  ASSERT_EQ(sd->media.size(), 2u);
  EXPECT_EQ(sd->DirectionOf(sd->media[0]), Direction::kRecvOnly);
  EXPECT_EQ(sd->DirectionOf(sd->media[1]), Direction::kRecvOnly);
  EXPECT_EQ(sd->IceUfrag(sd->media[1]), "9JJf");
  EXPECT_TRUE(sd->media[1].msids.empty());
  EXPECT_EQ(sd->media[0].candidates[0].port, 51218);
}

TEST(SdpParserTest, WeriftOffer) {
  auto sd = SdpParser().Parse(ReadFixture("werift_offer.sdp"));
  ASSERT_TRUE(sd.ok()) << sd.status();
  EXPECT_THAT(sd->BundleGroup()->mids, ElementsAre("0", "1"));
  EXPECT_EQ(sd->msid_semantic, "WMS");
  EXPECT_THAT(sd->msid_semantic_ids, ElementsAre("*"));
  ASSERT_EQ(sd->media.size(), 2u);
  const MediaSection& audio = sd->media[0];
  EXPECT_EQ(sd->IceUfrag(audio), "04d9");
  EXPECT_EQ(sd->IcePwd(audio), "68ad505e0133d60f8c3f06");
  EXPECT_EQ(audio.FindRtpMap(96)->encoding, "OPUS");
  EXPECT_EQ(audio.FindRtpMap(96)->channels, 2);
  EXPECT_TRUE(audio.end_of_candidates);
  ASSERT_EQ(audio.candidates.size(), 1u);
  EXPECT_EQ(audio.candidates[0].foundation, "626da4e5384a0ce2d0d93678a");
  EXPECT_EQ(audio.candidates[0].port, 40261);
  EXPECT_EQ(audio.candidates[0].extensions.back(),
            std::make_pair(std::string("ufrag"), std::string("04d9")));
  EXPECT_EQ(audio.ssrcs[0].ssrc, 93359430u);
  const MediaSection& video = sd->media[1];
  EXPECT_THAT(video.payload_types, ElementsAre(98));
  EXPECT_EQ(video.FindRtpMap(98)->encoding, "VP8");
  EXPECT_NE(FindFb(video, 98, "nack", ""), nullptr);
  EXPECT_EQ(sd->Fingerprints(video)[0].value.substr(0, 5), "9A:B9");
}

TEST(SdpParserTest, FirefoxStyleOffer) {
  auto sd = SdpParser().Parse(ReadFixture("firefox_style_offer.sdp"));
  ASSERT_TRUE(sd.ok()) << sd.status();
  EXPECT_EQ(sd->origin.username, "mozilla...THIS_IS_SDPARTA-128.0");
  // Firefox puts fingerprint and a default direction at session level.
  ASSERT_EQ(sd->fingerprints.size(), 1u);
  EXPECT_EQ(sd->direction, Direction::kSendRecv);
  const MediaSection& audio = sd->media[0];
  EXPECT_TRUE(audio.fingerprints.empty());
  EXPECT_EQ(sd->Fingerprints(audio)[0].value.substr(0, 5), "1D:5B");
  EXPECT_EQ(audio.direction, Direction::kSendRecv);
  EXPECT_EQ(sd->IceUfrag(audio), "3f0d8a2c");
  ASSERT_NE(FindExt(audio, 2), nullptr);
  EXPECT_EQ(FindExt(audio, 2)->direction, Direction::kRecvOnly);
  EXPECT_EQ(FindExt(audio, 2)->uri, "urn:ietf:params:rtp-hdrext:csrc-audio-level");
  EXPECT_EQ(audio.FindRtpMap(109)->encoding, "opus");
  EXPECT_EQ(audio.FindFmtp(109)->Get("stereo"), "1");
  EXPECT_EQ(audio.FindFmtp(101)->params[0].value, "0-15");
  EXPECT_EQ(audio.candidates[0].transport, "UDP");
  const MediaSection& video = sd->media[1];
  EXPECT_EQ(video.FindFmtp(124)->Get("apt"), "120");
  EXPECT_EQ(video.FindFmtp(97)->Get("packetization-mode"), std::nullopt);
  EXPECT_NE(FindFb(video, 126, "nack", "pli"), nullptr);
  EXPECT_THAT(video.ssrc_groups[0].ssrcs, ElementsAre(3101597410u, 1248770653u));
}

TEST(SdpParserTest, AcceptsBareNewlinesAndNoFinalNewline) {
  auto sd = SdpParser().Parse(
      "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:a\n"
      "a=rtpmap:111 opus/48000/2\na=x-unknown:whatever here\na=flag");
  ASSERT_TRUE(sd.ok()) << sd.status();
  ASSERT_EQ(sd->media.size(), 1u);
  EXPECT_EQ(sd->media[0].mid, "a");
  ASSERT_EQ(sd->media[0].other_attributes.size(), 2u);
  EXPECT_EQ(sd->media[0].other_attributes[0].value, "whatever here");
  EXPECT_FALSE(sd->media[0].other_attributes[1].has_value);
}

TEST(SdpParserTest, SimulcastAlternativesAndPaused) {
  auto sd = SdpParser().Parse(
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
      "a=rid:1 send pt=96,97;max-width=1280;max-height=720\r\na=rid:2 send\r\na=rid:3 recv\r\n"
      "a=simulcast:send 1,~2 recv 3\r\n");
  ASSERT_TRUE(sd.ok()) << sd.status();
  const MediaSection& m = sd->media[0];
  EXPECT_THAT(m.rids[0].pts, ElementsAre(96, 97));
  ASSERT_EQ(m.rids[0].params.size(), 2u);
  EXPECT_EQ(m.rids[0].params[0].key, "max-width");
  EXPECT_EQ(m.rids[2].direction, RidDirection::kRecv);
  ASSERT_EQ(m.simulcast->send.size(), 1u);
  ASSERT_EQ(m.simulcast->send[0].size(), 2u);
  EXPECT_TRUE(m.simulcast->send[0][1].paused);
  EXPECT_EQ(m.simulcast->send[0][1].rid, "2");
  EXPECT_EQ(m.simulcast->recv[0][0].rid, "3");
}

TEST(SdpParserTest, CandidateRelatedAddress) {
  auto sd = SdpParser().Parse(
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"
      "a=candidate:842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx raddr 10.0.0.2 "
      "rport 61665 generation 0 network-cost 999\r\n");
  ASSERT_TRUE(sd.ok()) << sd.status();
  const Candidate& c = sd->media[0].candidates[0];
  EXPECT_EQ(c.type, "srflx");
  EXPECT_EQ(c.related_address, "10.0.0.2");
  EXPECT_EQ(c.related_port, 61665);
  EXPECT_EQ(c.extensions.size(), 2u);
}

// ---- Malformed input: every error names the line. ----

constexpr char kHead[] = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";  // lines 1-4
constexpr char kMedia[] = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n";                // line 5

struct BadCase {
  const char* name;
  std::string text;
  const char* message;
};

class SdpParserErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(SdpParserErrorTest, NamesTheLine) {
  auto sd = SdpParser().Parse(GetParam().text);
  ASSERT_FALSE(sd.ok());
  EXPECT_EQ(sd.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(sd.status().message()), HasSubstr(GetParam().message));
}

std::string Media(const std::string& line) { return absl::StrCat(kHead, kMedia, line, "\r\n"); }

INSTANTIATE_TEST_SUITE_P(
    Malformed, SdpParserErrorTest,
    ::testing::Values(
        BadCase{"Empty", "", "line 1: empty SDP"},
        BadCase{"MediaBeforeVersion", "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n",
                "line 1: expected v=0 first, got \"m=audio"},
        BadCase{"WrongVersion", "v=1\r\n", "line 1: expected v=0 first"},
        BadCase{"TruncatedOrigin", "v=0\r\no=- 1 2 IN IP4", "line 2: bad o= \"o=- 1 2 IN IP4\""},
        BadCase{"OriginOverflow", "v=0\r\no=- 99999999999999999999 1 IN IP4 0.0.0.0\r\n",
                "line 2: bad o= session id"},
        BadCase{"MissingTime", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\n",
                "line 4: missing t= line before \"m=audio"},
        BadCase{"MissingOriginNoMedia", "v=0\r\ns=-\r\nt=0 0\r\n", "line 3: missing o= line"},
        BadCase{"NoEquals", absl::StrCat(kHead, "garbage\r\n"), "line 5: expected <type>=<value>"},
        BadCase{"UnknownType", absl::StrCat(kHead, "x=1\r\n"), "line 5: unknown line type"},
        BadCase{"ControlChar", absl::StrCat(kHead, std::string("a=mid:\0x", 8), "\r\n"),
                "line 5: control character"},
        BadCase{"SessionLineInMedia", Media("t=0 0"), "line 6: session-level line inside media"},
        BadCase{"RtpmapNotANumber", Media("a=rtpmap:abc"), "line 6: bad rtpmap \"a=rtpmap:abc\""},
        BadCase{"RtpmapHugePt", Media("a=rtpmap:128 VP8/90000"), "line 6: bad rtpmap"},
        BadCase{"RtpmapClockOverflow", Media("a=rtpmap:96 VP8/4294967296"), "line 6: bad rtpmap"},
        BadCase{"RtpmapTruncated", Media("a=rtpmap:96 VP8"), "line 6: bad rtpmap"},
        BadCase{"RtpmapSigned", Media("a=rtpmap:+96 VP8/90000"), "line 6: bad rtpmap"},
        BadCase{"MediaHugePt", absl::StrCat(kHead, "m=video 9 UDP/TLS/RTP/SAVPF 96 300\r\n"),
                "line 5: bad payload type in m="},
        BadCase{"MediaPortOverflow", absl::StrCat(kHead, "m=video 65536 UDP/TLS/RTP/SAVPF 96\r\n"),
                "line 5: bad m= port"},
        BadCase{"MediaTruncated", absl::StrCat(kHead, "m=video 9\r\n"), "line 5: bad m="},
        BadCase{"FmtpNoParams", Media("a=fmtp:96"), "line 6: bad fmtp"},
        BadCase{"RtcpFbBadPt", Media("a=rtcp-fb:x nack"), "line 6: bad rtcp-fb"},
        BadCase{"ExtmapZero", Media("a=extmap:0 urn:x"), "line 6: bad extmap"},
        BadCase{"ExtmapTooBig", Media("a=extmap:256 urn:x"), "line 6: bad extmap"},
        BadCase{"ExtmapBadDirection", Media("a=extmap:1/sideways urn:x"), "line 6: bad extmap"},
        BadCase{"SsrcOverflow", Media("a=ssrc:4294967296 cname:x"), "line 6: bad ssrc"},
        BadCase{"SsrcGroupBadSsrc", Media("a=ssrc-group:FID 1 x"), "line 6: bad ssrc-group"},
        BadCase{"RidBadDirection", Media("a=rid:h sideways"), "line 6: bad rid"},
        BadCase{"RidBadPt", Media("a=rid:h send pt=999"), "line 6: bad rid"},
        BadCase{"SimulcastNoList", Media("a=simulcast:send"), "line 6: bad simulcast"},
        BadCase{"SimulcastEmptyId", Media("a=simulcast:send h;;l"), "line 6: bad simulcast"},
        BadCase{"CandidateTruncated", Media("a=candidate:1 1 udp 2122260223 127.0.0.1"),
                "line 6: bad candidate"},
        BadCase{"CandidatePortOverflow",
                Media("a=candidate:1 1 udp 2122260223 127.0.0.1 65536 typ host"),
                "line 6: bad candidate"},
        BadCase{"CandidatePriorityOverflow",
                Media("a=candidate:1 1 udp 4294967296 127.0.0.1 5000 typ host"),
                "line 6: bad candidate"},
        BadCase{"CandidateNoTyp", Media("a=candidate:1 1 udp 1 127.0.0.1 5000 type host"),
                "line 6: bad candidate"},
        BadCase{"FingerprintBadHex", Media("a=fingerprint:sha-256 AB:CD:E"),
                "line 6: bad fingerprint"},
        BadCase{"UfragTooShort", Media("a=ice-ufrag:abc"), "line 6: bad ice-ufrag"},
        BadCase{"PwdTooShort", Media("a=ice-pwd:short"), "line 6: bad ice-pwd"},
        BadCase{"SetupUnknown", Media("a=setup:sometimes"), "line 6: bad setup"},
        BadCase{"DuplicateMid", absl::StrCat(kHead, kMedia, "a=mid:0\r\na=mid:1\r\n"),
                "line 7: bad mid"},
        BadCase{"SessionGroupEmpty", absl::StrCat(kHead, "a=group:\r\n"), "line 5: bad group"},
        BadCase{"SctpPortOverflow", Media("a=sctp-port:70000"), "line 6: bad sctp-port"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(SdpParserTest, QuotesOnlyTheStartOfALongLine) {
  std::string line = "a=rtpmap:xyz " + std::string(200, 'A');
  auto sd = SdpParser().Parse(Media(line));
  ASSERT_FALSE(sd.ok());
  EXPECT_EQ(sd.status().message(),
            absl::StrCat("line 6: bad rtpmap \"", line.substr(0, 40), "...\""));
}

// ---- Limits ----

TEST(SdpParserTest, RejectsOversizedDocument) {
  std::string text = absl::StrCat(kHead, kMedia);
  while (text.size() <= 64 * 1024)
    text += "a=x-padding:0123456789012345678901234567890123456789\r\n";
  auto sd = SdpParser().Parse(text);
  ASSERT_FALSE(sd.ok());
  EXPECT_THAT(std::string(sd.status().message()), HasSubstr("SDP too large"));
}

TEST(SdpParserTest, RejectsTooManyLines) {
  SdpLimits limits;
  limits.max_lines = 10;
  std::string text = absl::StrCat(kHead, kMedia);
  for (int i = 0; i < 10; ++i) text += "a=x\r\n";
  auto sd = SdpParser(limits).Parse(text);
  ASSERT_FALSE(sd.ok());
  EXPECT_THAT(std::string(sd.status().message()), HasSubstr("line 11: too many lines"));
}

TEST(SdpParserTest, RejectsTooManyMediaSections) {
  std::string text = kHead;
  for (int i = 0; i < 65; ++i) text += "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n";
  auto sd = SdpParser().Parse(text);
  ASSERT_FALSE(sd.ok());
  EXPECT_THAT(std::string(sd.status().message()), HasSubstr("line 69: too many media sections"));
}

TEST(SdpParserTest, RejectsTooManyCandidates) {
  std::string text = absl::StrCat(kHead, kMedia);
  for (int i = 0; i < 65; ++i) {
    text += absl::StrCat("a=candidate:", i, " 1 udp 1 127.0.0.1 ", 1000 + i, " typ host\r\n");
  }
  auto sd = SdpParser().Parse(text);
  ASSERT_FALSE(sd.ok());
  EXPECT_THAT(std::string(sd.status().message()), HasSubstr("line 70: too many candidates"));
}

TEST(SdpParserTest, RejectsTooManyAttributes) {
  SdpLimits limits;
  limits.max_attributes_per_section = 3;
  std::string text = absl::StrCat(kHead, kMedia, "a=a\r\na=b\r\na=c\r\na=d\r\n");
  auto sd = SdpParser(limits).Parse(text);
  ASSERT_FALSE(sd.ok());
  EXPECT_THAT(std::string(sd.status().message()), HasSubstr("line 9: too many attributes"));
}

TEST(SdpParserTest, RejectsLongLinesAndTokens) {
  auto sd = SdpParser().Parse(Media("a=x-long:" + std::string(3000, 'x')));
  ASSERT_FALSE(sd.ok());
  EXPECT_THAT(std::string(sd.status().message()), HasSubstr("line 6: line too long"));
  sd = SdpParser().Parse(Media("a=mid:" + std::string(300, 'm')));
  ASSERT_FALSE(sd.ok());
  EXPECT_THAT(std::string(sd.status().message()), HasSubstr("line 6: bad mid"));
}

}  // namespace
}  // namespace sfu::sdp
