#include "core/stun/ice_lite_agent.h"

#include <chrono>
#include <string>
#include <vector>

#include "core/stun/stun_builder.h"
#include "core/stun/stun_integrity.h"
#include "core/stun/stun_message.h"
#include "gtest/gtest.h"
#include "tests/core/stun/test_vectors.h"

namespace sfu::stun {
namespace {

using ::sfu::stun::testing::FromHex;
using std::chrono::seconds;

constexpr std::string_view kLocalUfrag = "sfuD";
constexpr std::string_view kLocalPwd = "sfudLocalPassword0123456789+/";
constexpr std::string_view kRemoteUfrag = "Pe3r";
const Instant kT0 = Instant::FromNanos(1'000'000'000'000);

FiveTuple Tuple(std::string_view remote_ip, uint16_t remote_port) {
  const IpAddress remote = *IpAddress::Parse(remote_ip);
  const IpAddress local =
      remote.is_v4() ? *IpAddress::Parse("192.0.2.10") : *IpAddress::Parse("2001:db8::10");
  return FiveTuple{SocketAddress{local, 3478}, SocketAddress{remote, remote_port}};
}

crypto::Hmac HmacFor(std::string_view password) {
  auto hmac = crypto::Hmac::Create(
      crypto::HashAlgorithm::kSha1,
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(password.data()), password.size()));
  EXPECT_TRUE(hmac.ok()) << hmac.status();
  return *std::move(hmac);
}

// What a controlling browser sends (RFC 8445 §7.2.2), with knobs to get each part wrong.
struct Check {
  std::string username = std::string(kLocalUfrag) + ":" + std::string(kRemoteUfrag);
  std::string password = std::string(kLocalPwd);
  bool use_candidate = false;
  bool controlling = true;
  bool priority = true;
  bool integrity = true;
  bool fingerprint = true;
  std::optional<uint16_t> extra_attribute{};
  uint8_t tid_seed = 1;
};

std::vector<uint8_t> Build(const Check& c) {
  crypto::Hmac hmac = HmacFor(c.password);
  TransactionId tid;
  for (size_t i = 0; i < tid.size(); ++i) tid[i] = static_cast<uint8_t>(c.tid_seed + i);
  std::vector<uint8_t> buffer(512);
  StunBuilder b(absl::MakeSpan(buffer), kBindingRequest, tid);
  b.AddUsername(c.username);
  if (c.priority) b.AddPriority(0x6e0001ff);
  if (c.controlling) {
    b.AddIceControlling(0x1122334455667788);
  } else {
    b.AddIceControlled(0x1122334455667788);
  }
  if (c.use_candidate) b.AddUseCandidate();
  if (c.extra_attribute.has_value()) {
    const uint8_t value[] = {1, 2, 3};
    b.AddAttribute(*c.extra_attribute, value);
  }
  if (c.integrity) b.AddMessageIntegrity(hmac);
  if (c.fingerprint) b.AddFingerprint();
  const auto built = b.Finish();
  EXPECT_TRUE(built.has_value());
  return std::vector<uint8_t>(built->begin(), built->end());
}

IceLiteAgent MakeAgent(IceLiteConfig config = {}) {
  if (config.local_ufrag.empty()) {
    config.local_ufrag = std::string(kLocalUfrag);
    config.local_pwd = std::string(kLocalPwd);
    config.remote_ufrag = std::string(kRemoteUfrag);
  }
  auto agent = IceLiteAgent::Create(std::move(config), kT0);
  EXPECT_TRUE(agent.ok()) << agent.status();
  return *std::move(agent);
}

std::vector<IceEvent> DrainEvents(IceLiteAgent& agent) {
  std::vector<IceEvent> events;
  while (auto e = agent.PollEvent()) events.push_back(*e);
  return events;
}

// Parses and authenticates a response the agent sent, as the browser would.
StunMessage ParseResponse(const StunTransmit& t, crypto::Hmac& hmac) {
  StunMessage m;
  EXPECT_EQ(ParseStunMessage(t.data, &m), StunParseStatus::kOk);
  EXPECT_TRUE(VerifyMessageIntegrity(m, hmac));
  EXPECT_TRUE(VerifyFingerprint(m));
  return m;
}

TEST(IceLiteAgentTest, ValidCheckAnsweredWithXorMappedAddressV4AndV6) {
  crypto::Hmac local_hmac = HmacFor(kLocalPwd);
  for (const FiveTuple& tuple : {Tuple("198.51.100.7", 54321), Tuple("2001:db8:beef::7", 9)}) {
    IceLiteAgent agent = MakeAgent();
    const std::vector<uint8_t> request = Build({});
    EXPECT_EQ(agent.HandleStun(kT0, tuple, request), CheckOutcome::kAnswered);
    const auto transmit = agent.PollTransmit();
    ASSERT_TRUE(transmit.has_value());
    EXPECT_FALSE(agent.PollTransmit().has_value());
    EXPECT_EQ(transmit->tuple, tuple);
    const StunMessage response = ParseResponse(*transmit, local_hmac);
    EXPECT_EQ(response.type, kBindingSuccess);
    StunMessage req;
    ASSERT_EQ(ParseStunMessage(request, &req), StunParseStatus::kOk);
    EXPECT_EQ(response.transaction_id, req.transaction_id);
    EXPECT_EQ(response.xor_mapped_address, tuple.remote);

    const std::vector<IceEvent> events = DrainEvents(agent);
    ASSERT_EQ(events.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<TupleBound>(events[0]));
    EXPECT_EQ(std::get<TupleBound>(events[0]).tuple, tuple);
    EXPECT_TRUE(agent.IsBound(tuple));
    EXPECT_EQ(agent.stats().answered, 1u);
  }
}

// A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; the peer must see its IPv4 address.
TEST(IceLiteAgentTest, V4MappedSourceAnsweredAsIpv4) {
  crypto::Hmac local_hmac = HmacFor(kLocalPwd);
  IceLiteAgent agent = MakeAgent();
  const FiveTuple tuple{SocketAddress{*IpAddress::Parse("::"), 3478},
                        SocketAddress{*IpAddress::Parse("::ffff:198.51.100.7"), 4242}};
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({})), CheckOutcome::kAnswered);
  const auto transmit = agent.PollTransmit();
  ASSERT_TRUE(transmit.has_value());
  EXPECT_EQ(transmit->tuple, tuple);
  const StunMessage response = ParseResponse(*transmit, local_hmac);
  ASSERT_TRUE(response.xor_mapped_address.has_value());
  EXPECT_EQ(response.xor_mapped_address->ToString(), "198.51.100.7:4242");
  EXPECT_TRUE(agent.IsBound(tuple));
}

TEST(IceLiteAgentTest, SecondCheckFromSameTupleDoesNotRebind) {
  IceLiteAgent agent = MakeAgent();
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({})), CheckOutcome::kAnswered);
  EXPECT_EQ(DrainEvents(agent).size(), 1u);
  EXPECT_EQ(agent.HandleStun(kT0 + seconds(1), tuple, Build({.tid_seed = 7})),
            CheckOutcome::kAnswered);
  EXPECT_TRUE(DrainEvents(agent).empty());
}

TEST(IceLiteAgentTest, BadCredentialsAreDroppedSilentlyAndCounted) {
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  const std::string local(kLocalUfrag), remote(kRemoteUfrag);
  struct Case {
    Check check;
    CheckOutcome expected;
  } cases[] = {
      {{.username = "xxxx:" + remote}, CheckOutcome::kWrongUsername},
      {{.username = local + ":xxxx"}, CheckOutcome::kWrongUsername},
      {{.username = remote + ":" + local}, CheckOutcome::kWrongUsername},
      {{.username = local}, CheckOutcome::kWrongUsername},
      {{.username = local + ":"}, CheckOutcome::kWrongUsername},
      {{.username = local + ":" + remote + "x"}, CheckOutcome::kWrongUsername},
      {{.password = "anotherPasswordOf22chars"}, CheckOutcome::kBadIntegrity},
      {{.integrity = false}, CheckOutcome::kMissingIntegrity},
      {{.priority = false}, CheckOutcome::kMissingIceAttribute},
  };
  IceLiteAgent agent = MakeAgent();
  for (const Case& c : cases) {
    EXPECT_EQ(agent.HandleStun(kT0, tuple, Build(c.check)), c.expected) << c.check.username;
    EXPECT_FALSE(agent.PollTransmit().has_value());
    EXPECT_FALSE(agent.IsBound(tuple));
  }
  EXPECT_TRUE(DrainEvents(agent).empty());
  EXPECT_EQ(agent.stats().wrong_username, 6u);
  EXPECT_EQ(agent.stats().bad_integrity, 1u);
  EXPECT_EQ(agent.stats().missing_integrity, 1u);
  EXPECT_EQ(agent.stats().missing_ice_attribute, 1u);
  EXPECT_EQ(agent.stats().answered, 0u);
}

TEST(IceLiteAgentTest, FingerprintOptionalButMustBeValid) {
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  IceLiteAgent agent = MakeAgent();
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.fingerprint = false})), CheckOutcome::kAnswered);
  std::vector<uint8_t> bad = Build({});
  bad.back() ^= 1;
  EXPECT_EQ(agent.HandleStun(kT0, tuple, bad), CheckOutcome::kBadFingerprint);
  EXPECT_FALSE(agent.PollTransmit().has_value());
  EXPECT_EQ(agent.stats().bad_fingerprint, 1u);
}

// One flipped bit anywhere in what MESSAGE-INTEGRITY or FINGERPRINT covers gets no answer. The
// FINGERPRINT attribute's own header is covered by neither: a flip there turns it into an unknown
// attribute after MESSAGE-INTEGRITY, which RFC 8489 §14.5 says to ignore, leaving an intact
// authenticated check without a (optional) fingerprint — answering it is correct.
TEST(IceLiteAgentTest, EveryBitFlipOfAValidCheckIsDropped) {
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  IceLiteAgent agent = MakeAgent();
  const std::vector<uint8_t> valid = Build({.use_candidate = true});
  const size_t fingerprint_header = valid.size() - 8;
  for (size_t bit = 0; bit < valid.size() * 8; ++bit) {
    std::vector<uint8_t> bytes = valid;
    bytes[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    const CheckOutcome outcome = agent.HandleStun(kT0, tuple, bytes);
    const bool in_fingerprint_header =
        bit / 8 >= fingerprint_header && bit / 8 < fingerprint_header + 4;
    if (in_fingerprint_header && IsAnswered(outcome)) {
      StunMessage m;
      ASSERT_EQ(ParseStunMessage(bytes, &m), StunParseStatus::kOk);
      EXPECT_FALSE(m.fingerprint_offset.has_value()) << "bit " << bit;
      ASSERT_TRUE(agent.PollTransmit().has_value());
      continue;
    }
    EXPECT_FALSE(IsAnswered(outcome)) << "bit " << bit << ": " << ToString(outcome);
    EXPECT_FALSE(agent.PollTransmit().has_value());
  }
  // Only the FINGERPRINT-header flips may have been answered (and bound the tuple).
  EXPECT_LE(agent.stats().answered, 32u);
}

TEST(IceLiteAgentTest, NonRequestsAndGarbageAreDropped) {
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  IceLiteAgent agent = MakeAgent();
  EXPECT_EQ(agent.HandleStun(kT0, tuple, FromHex(testing::kRfc5769ResponseV4)),
            CheckOutcome::kNotBindingRequest);
  EXPECT_EQ(agent.HandleStun(kT0, tuple, FromHex("001100002112a442 0102030405060708090a0b0c")),
            CheckOutcome::kNotBindingRequest);
  EXPECT_EQ(agent.HandleStun(kT0, tuple, FromHex("16fefd0000")), CheckOutcome::kMalformed);
  EXPECT_EQ(agent.HandleStun(kT0, tuple, {}), CheckOutcome::kMalformed);
  EXPECT_FALSE(agent.PollTransmit().has_value());
  EXPECT_EQ(agent.stats().not_binding_request, 2u);
  EXPECT_EQ(agent.stats().malformed, 2u);
}

// RFC 8489 §6.3.1: an authenticated request with an unknown comprehension-required attribute gets
// 420 with UNKNOWN-ATTRIBUTES; a comprehension-optional one is ignored.
TEST(IceLiteAgentTest, UnknownComprehensionRequiredGets420) {
  crypto::Hmac local_hmac = HmacFor(kLocalPwd);
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  IceLiteAgent agent = MakeAgent();
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.extra_attribute = 0x7ABC})),
            CheckOutcome::kUnknownAttribute);
  const auto transmit = agent.PollTransmit();
  ASSERT_TRUE(transmit.has_value());
  const StunMessage response = ParseResponse(*transmit, local_hmac);
  EXPECT_EQ(response.type, kBindingError);
  ASSERT_TRUE(response.error_code.has_value());
  EXPECT_EQ(response.error_code->code, 420);
  ASSERT_EQ(response.listed_unknown_attributes_count(), 1u);
  EXPECT_EQ(response.ListedUnknownAttribute(0), 0x7ABC);
  EXPECT_FALSE(agent.IsBound(tuple));
  EXPECT_TRUE(DrainEvents(agent).empty());

  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.extra_attribute = 0xC057})),
            CheckOutcome::kAnswered);
  // Without valid integrity the same unknown attribute earns no answer at all.
  EXPECT_EQ(
      agent.HandleStun(kT0, tuple,
                       Build({.password = "anotherPasswordOf22chars", .extra_attribute = 0x7ABC})),
      CheckOutcome::kBadIntegrity);
  EXPECT_FALSE(agent.PollTransmit().has_value());
}

// RFC 8445 §7.3.1.1: a peer that also claims to be controlled gets 487 from the lite agent.
TEST(IceLiteAgentTest, PeerClaimingControlledGetsRoleConflict) {
  crypto::Hmac local_hmac = HmacFor(kLocalPwd);
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  IceLiteAgent agent = MakeAgent();
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.controlling = false})),
            CheckOutcome::kRoleConflict);
  const auto transmit = agent.PollTransmit();
  ASSERT_TRUE(transmit.has_value());
  const StunMessage response = ParseResponse(*transmit, local_hmac);
  ASSERT_TRUE(response.error_code.has_value());
  EXPECT_EQ(response.error_code->code, 487);
  EXPECT_FALSE(agent.IsBound(tuple));
}

// The RFC 5769 §2.1 request is a real ICE check (evtj:h6vY with its password) from a controlled
// agent: as the "evtj" side, sfud answers it with 487.
TEST(IceLiteAgentTest, Rfc5769SampleRequestGetsRoleConflict) {
  auto agent = IceLiteAgent::Create({.local_ufrag = "evtj",
                                     .local_pwd = std::string(testing::kRfc5769Password),
                                     .remote_ufrag = "h6vY"},
                                    kT0);
  ASSERT_TRUE(agent.ok()) << agent.status();
  const FiveTuple tuple = Tuple("192.0.2.1", 32853);
  EXPECT_EQ(agent->HandleStun(kT0, tuple, FromHex(testing::kRfc5769Request)),
            CheckOutcome::kRoleConflict);
  crypto::Hmac hmac = HmacFor(testing::kRfc5769Password);
  const auto transmit = agent->PollTransmit();
  ASSERT_TRUE(transmit.has_value());
  const StunMessage response = ParseResponse(*transmit, hmac);
  EXPECT_EQ(response.error_code->code, 487);
}

TEST(IceLiteAgentTest, IndependentlyEncodedCheckIsAnsweredAndNominates) {
  auto agent = IceLiteAgent::Create({.local_ufrag = "evtj",
                                     .local_pwd = std::string(testing::kRfc5769Password),
                                     .remote_ufrag = "h6vY"},
                                    kT0);
  ASSERT_TRUE(agent.ok());
  const FiveTuple tuple = Tuple("192.0.2.1", 32853);
  EXPECT_EQ(agent->HandleStun(kT0, tuple, FromHex(testing::kPythonNominatingCheck)),
            CheckOutcome::kAnswered);
  EXPECT_EQ(agent->selected_tuple(), tuple);
}

// A browser's check (see test_vectors.h) is authenticated, answered, binds and nominates; its
// comprehension-optional GOOG-NETWORK-INFO is ignored.
TEST(IceLiteAgentTest, ChromiumCheckIsAnswered) {
  auto agent = IceLiteAgent::Create({.local_ufrag = std::string(testing::kChromeCheckLocalUfrag),
                                     .local_pwd = std::string(testing::kChromeCheckPassword),
                                     .remote_ufrag = std::string(testing::kChromeCheckRemoteUfrag)},
                                    kT0);
  ASSERT_TRUE(agent.ok()) << agent.status();
  const std::vector<uint8_t> check = FromHex(testing::kChromeCheck);
  StunMessage m;
  ASSERT_EQ(ParseStunMessage(check, &m), StunParseStatus::kOk);
  EXPECT_EQ(m.priority, 1853693695u);
  EXPECT_EQ(m.ice_controlling, 15897499370457501716u);
  EXPECT_TRUE(m.use_candidate);
  EXPECT_EQ(m.unknown_required_count, 0u);

  const FiveTuple tuple = Tuple("192.168.1.20", 61000);
  EXPECT_EQ(agent->HandleStun(kT0, tuple, check), CheckOutcome::kAnswered);
  crypto::Hmac hmac = HmacFor(testing::kChromeCheckPassword);
  const auto transmit = agent->PollTransmit();
  ASSERT_TRUE(transmit.has_value());
  const StunMessage response = ParseResponse(*transmit, hmac);
  EXPECT_EQ(response.transaction_id, m.transaction_id);
  EXPECT_EQ(response.xor_mapped_address, tuple.remote);
  EXPECT_EQ(agent->selected_tuple(), tuple);
}

TEST(IceLiteAgentTest, NominationEvent) {
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  IceLiteAgent agent = MakeAgent();
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({})), CheckOutcome::kAnswered);
  EXPECT_EQ(DrainEvents(agent).size(), 1u);
  EXPECT_FALSE(agent.selected_tuple().has_value());
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.use_candidate = true})), CheckOutcome::kAnswered);
  std::vector<IceEvent> events = DrainEvents(agent);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<Nominated>(events[0]));
  EXPECT_EQ(std::get<Nominated>(events[0]).tuple, tuple);
  EXPECT_EQ(agent.selected_tuple(), tuple);
  // Peers repeat USE-CANDIDATE on the selected pair: no new event.
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.use_candidate = true})), CheckOutcome::kAnswered);
  EXPECT_TRUE(DrainEvents(agent).empty());
}

TEST(IceLiteAgentTest, FirstCheckWithUseCandidateBindsThenNominates) {
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  IceLiteAgent agent = MakeAgent();
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.use_candidate = true})), CheckOutcome::kAnswered);
  const std::vector<IceEvent> events = DrainEvents(agent);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<TupleBound>(events[0]));
  EXPECT_TRUE(std::holds_alternative<Nominated>(events[1]));
}

// RFC 7675: consent expires exactly consent_timeout after the last valid check.
TEST(IceLiteAgentTest, ConsentExpiresThirtySecondsAfterLastValidCheck) {
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  IceLiteAgent agent = MakeAgent();
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.use_candidate = true})), CheckOutcome::kAnswered);
  DrainEvents(agent);
  EXPECT_EQ(agent.NextTimeout(), kT0 + seconds(30));

  agent.HandleTimeout(kT0 + seconds(30) - Duration(1));
  EXPECT_TRUE(DrainEvents(agent).empty());
  EXPECT_FALSE(agent.expired());

  agent.HandleTimeout(kT0 + seconds(30));
  const std::vector<IceEvent> events = DrainEvents(agent);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<ConsentExpired>(events[0]));
  EXPECT_EQ(std::get<ConsentExpired>(events[0]).tuple, tuple);
  EXPECT_TRUE(agent.expired());
  EXPECT_FALSE(agent.NextTimeout().has_value());
  EXPECT_FALSE(agent.IsBound(tuple));
  // Terminal: later checks are not answered and timeouts do nothing.
  EXPECT_EQ(agent.HandleStun(kT0 + seconds(31), tuple, Build({})), CheckOutcome::kExpired);
  EXPECT_FALSE(agent.PollTransmit().has_value());
  agent.HandleTimeout(kT0 + seconds(60));
  EXPECT_TRUE(DrainEvents(agent).empty());
}

TEST(IceLiteAgentTest, RefreshExtendsConsent) {
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  IceLiteAgent agent = MakeAgent();
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.use_candidate = true})), CheckOutcome::kAnswered);
  EXPECT_EQ(agent.HandleStun(kT0 + seconds(20), tuple, Build({})), CheckOutcome::kAnswered);
  EXPECT_EQ(agent.NextTimeout(), kT0 + seconds(50));
  // A check that fails authentication does not refresh.
  EXPECT_EQ(
      agent.HandleStun(kT0 + seconds(40), tuple, Build({.password = "anotherPasswordOf22chars"})),
      CheckOutcome::kBadIntegrity);
  EXPECT_EQ(agent.NextTimeout(), kT0 + seconds(50));
  agent.HandleTimeout(kT0 + seconds(30));
  EXPECT_FALSE(agent.expired());
  agent.HandleTimeout(kT0 + seconds(50));
  EXPECT_TRUE(agent.expired());
}

TEST(IceLiteAgentTest, ConfigurableTimeoutAndNoCheckAtAll) {
  IceLiteConfig config{.local_ufrag = std::string(kLocalUfrag),
                       .local_pwd = std::string(kLocalPwd),
                       .remote_ufrag = std::string(kRemoteUfrag),
                       .consent_timeout = seconds(5)};
  IceLiteAgent agent = MakeAgent(config);
  EXPECT_EQ(agent.NextTimeout(), kT0 + seconds(5));
  agent.HandleTimeout(kT0 + seconds(5));
  const std::vector<IceEvent> events = DrainEvents(agent);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<ConsentExpired>(events[0]));
  EXPECT_FALSE(std::get<ConsentExpired>(events[0]).tuple.has_value());
}

// The peer moves (new NAT binding, network change): a valid check binds the new tuple, its
// nomination selects it, and the old tuple's consent then lapses on its own.
TEST(IceLiteAgentTest, PeerMovesToNewTuple) {
  const FiveTuple a = Tuple("198.51.100.7", 1000);
  const FiveTuple b = Tuple("203.0.113.9", 2000);
  IceLiteAgent agent = MakeAgent();
  EXPECT_EQ(agent.HandleStun(kT0, a, Build({.use_candidate = true})), CheckOutcome::kAnswered);
  DrainEvents(agent);

  EXPECT_EQ(agent.HandleStun(kT0 + seconds(10), b, Build({})), CheckOutcome::kAnswered);
  std::vector<IceEvent> events = DrainEvents(agent);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<TupleBound>(events[0]).tuple, b);
  EXPECT_EQ(agent.selected_tuple(), a);
  EXPECT_TRUE(agent.IsBound(a));
  EXPECT_TRUE(agent.IsBound(b));

  EXPECT_EQ(agent.HandleStun(kT0 + seconds(11), b, Build({.use_candidate = true})),
            CheckOutcome::kAnswered);
  events = DrainEvents(agent);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<Nominated>(events[0]).tuple, b);
  EXPECT_EQ(agent.selected_tuple(), b);

  // a's consent lapses at T0+30 s; the session lives on through b (until T0+41 s).
  EXPECT_EQ(agent.NextTimeout(), kT0 + seconds(30));
  agent.HandleTimeout(kT0 + seconds(30));
  events = DrainEvents(agent);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<TupleUnbound>(events[0]).tuple, a);
  EXPECT_FALSE(agent.IsBound(a));
  EXPECT_FALSE(agent.expired());
  EXPECT_EQ(agent.NextTimeout(), kT0 + seconds(41));
  agent.HandleTimeout(kT0 + seconds(41));
  EXPECT_TRUE(agent.expired());
}

TEST(IceLiteAgentTest, TupleTableIsBounded) {
  IceLiteConfig config{.local_ufrag = std::string(kLocalUfrag),
                       .local_pwd = std::string(kLocalPwd),
                       .remote_ufrag = std::string(kRemoteUfrag),
                       .max_tuples = 2};
  IceLiteAgent agent = MakeAgent(config);
  const FiveTuple a = Tuple("198.51.100.1", 1), b = Tuple("198.51.100.2", 2),
                  c = Tuple("198.51.100.3", 3);
  EXPECT_EQ(agent.HandleStun(kT0, a, Build({.use_candidate = true})), CheckOutcome::kAnswered);
  EXPECT_EQ(agent.HandleStun(kT0 + seconds(1), b, Build({})), CheckOutcome::kAnswered);
  DrainEvents(agent);
  // c evicts b (least recently checked that is not selected), never the selected a.
  EXPECT_EQ(agent.HandleStun(kT0 + seconds(2), c, Build({})), CheckOutcome::kAnswered);
  const std::vector<IceEvent> events = DrainEvents(agent);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(std::get<TupleUnbound>(events[0]).tuple, b);
  EXPECT_EQ(std::get<TupleBound>(events[1]).tuple, c);
  EXPECT_EQ(agent.bound_tuple_count(), 2u);
  EXPECT_TRUE(agent.IsBound(a));
  EXPECT_FALSE(agent.IsBound(b));
  EXPECT_TRUE(agent.IsBound(c));
}

TEST(IceLiteAgentTest, ManyTuplesKeepStateBounded) {
  IceLiteAgent agent = MakeAgent();
  for (uint16_t port = 1; port <= 200; ++port) {
    EXPECT_EQ(agent.HandleStun(kT0, Tuple("198.51.100.1", port), Build({})),
              CheckOutcome::kAnswered);
    DrainEvents(agent);
  }
  EXPECT_EQ(agent.bound_tuple_count(), 4u);
  // An undrained event queue stays bounded too.
  for (uint16_t port = 201; port <= 300; ++port) {
    EXPECT_EQ(agent.HandleStun(kT0, Tuple("198.51.100.1", port), Build({})),
              CheckOutcome::kAnswered);
  }
  EXPECT_GT(agent.stats().events_dropped, 0u);
}

TEST(IceLiteAgentTest, UnknownRemoteUfragChecksOnlyLocalPart) {
  IceLiteConfig config{.local_ufrag = std::string(kLocalUfrag),
                       .local_pwd = std::string(kLocalPwd)};
  IceLiteAgent agent = MakeAgent(config);
  const FiveTuple tuple = Tuple("198.51.100.7", 1000);
  const std::string local(kLocalUfrag);
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.username = local + ":anyPeer"})),
            CheckOutcome::kAnswered);
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.username = local + ":"})),
            CheckOutcome::kWrongUsername);
  EXPECT_EQ(agent.HandleStun(kT0, tuple, Build({.username = "abcd:" + local})),
            CheckOutcome::kWrongUsername);
}

TEST(IceLiteAgentTest, CreateValidatesConfig) {
  const std::string ufrag(kLocalUfrag), pwd(kLocalPwd);
  EXPECT_FALSE(IceLiteAgent::Create({.local_ufrag = "abc", .local_pwd = pwd}, kT0).ok());
  EXPECT_FALSE(IceLiteAgent::Create({.local_ufrag = "ab:c", .local_pwd = pwd}, kT0).ok());
  EXPECT_FALSE(IceLiteAgent::Create({.local_ufrag = ufrag, .local_pwd = "short"}, kT0).ok());
  EXPECT_FALSE(
      IceLiteAgent::Create({.local_ufrag = ufrag, .local_pwd = pwd, .remote_ufrag = "a:b"}, kT0)
          .ok());
  EXPECT_FALSE(
      IceLiteAgent::Create({.local_ufrag = ufrag, .local_pwd = pwd, .max_tuples = 1}, kT0).ok());
  EXPECT_FALSE(IceLiteAgent::Create(
                   {.local_ufrag = ufrag, .local_pwd = pwd, .consent_timeout = Duration(0)}, kT0)
                   .ok());
  EXPECT_TRUE(IceLiteAgent::Create({.local_ufrag = ufrag, .local_pwd = pwd}, kT0).ok());
}

TEST(IceLiteAgentTest, StatsNamesAndCounters) {
  IceLiteStats stats;
  stats.Count(CheckOutcome::kBadIntegrity);
  stats.Count(CheckOutcome::kBadIntegrity);
  EXPECT_EQ(stats.bad_integrity, 2u);
  EXPECT_EQ(stats.Get(CheckOutcome::kBadIntegrity), 2u);
  EXPECT_EQ(ToString(CheckOutcome::kWrongUsername), "wrong_username");
  EXPECT_TRUE(IsAnswered(CheckOutcome::kRoleConflict));
  EXPECT_FALSE(IsAnswered(CheckOutcome::kMalformed));
}

}  // namespace
}  // namespace sfu::stun
