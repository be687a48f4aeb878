// Both IoBackends against plain kernel sockets on loopback. Every loop is bounded by a count and a
// deadline a few seconds out; no assertion depends on how fast the machine is.
#include "core/net/io_backend.h"

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "core/net/monotonic_clock.h"
#include "core/net/waker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/net/plain_udp.h"

namespace sfu::net {
namespace {

using ::sfu::net::testing::Payload;
using ::sfu::net::testing::PlainUdp;
using ::testing::TestWithParam;
using ::testing::Values;

constexpr auto kPatience = std::chrono::seconds(5);

struct Received {
  FiveTuple tuple;
  std::vector<uint8_t> bytes;
  uint32_t socket_index;
};

class IoBackendTest : public TestWithParam<IoBackendKind> {
 protected:
  std::unique_ptr<IoBackend> Make(IoBackendOptions options = {}) {
    options.kind = GetParam();
    absl::StatusOr<std::unique_ptr<IoBackend>> backend = IoBackend::Create(options);
    EXPECT_TRUE(backend.ok()) << backend.status();
    return backend.ok() ? std::move(*backend) : nullptr;
  }

  static uint32_t AddLoopback(IoBackend& backend, IpAddress::Family family,
                              UdpSocketOptions socket_options = {}) {
    absl::StatusOr<UdpSocket> socket =
        UdpSocket::Bind(SocketAddress{IpAddress::Loopback(family), 0}, socket_options);
    EXPECT_TRUE(socket.ok()) << socket.status();
    absl::StatusOr<uint32_t> index = backend.AddSocket(std::move(*socket));
    EXPECT_TRUE(index.ok()) << index.status();
    return index.value_or(0);
  }

  // Waits and receives until `count` datagrams arrived or the patience runs out, releasing after
  // every batch as the shard loop does.
  static std::vector<Received> ReceiveCount(IoBackend& backend, size_t count) {
    std::vector<Received> got;
    std::vector<ReceivedDatagram> batch(32);
    const Instant give_up = MonotonicClock::Now() + kPatience;
    while (got.size() < count && MonotonicClock::Now() < give_up) {
      backend.Wait(give_up);
      while (size_t n = backend.Receive(absl::MakeSpan(batch))) {
        for (size_t i = 0; i < n; ++i) {
          got.push_back(Received{batch[i].tuple,
                                 std::vector<uint8_t>(batch[i].bytes.begin(), batch[i].bytes.end()),
                                 batch[i].socket_index});
        }
        backend.ReleaseReceived();
      }
    }
    return got;
  }
};

TEST_P(IoBackendTest, DescribesItself) {
  std::unique_ptr<IoBackend> backend = Make();
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->kind(), GetParam());
  EXPECT_FALSE(backend->description().empty());
  std::printf("%s\n", std::string(backend->description()).c_str());
  if (GetParam() == IoBackendKind::kIoUring) {
    // PEERS.md: this machine's kernel (6.18) has sparse file tables (5.19+), so the sockets are
    // fixed files and no send or receive looks up an fd.
    EXPECT_THAT(std::string(backend->description()), ::testing::HasSubstr("fixed files"));
  }
}

TEST_P(IoBackendTest, ReceivesBurstFromPlainSocketV4AndV6) {
  std::unique_ptr<IoBackend> backend = Make();
  ASSERT_NE(backend, nullptr);
  const uint32_t v4 = AddLoopback(*backend, IpAddress::Family::kV4);
  const uint32_t v6 = AddLoopback(*backend, IpAddress::Family::kV6);
  PlainUdp sender4(IpAddress::Family::kV4);
  PlainUdp sender6(IpAddress::Family::kV6);
  constexpr size_t kEach = 100;
  for (size_t i = 0; i < kEach; ++i) {
    ASSERT_TRUE(sender4.SendTo(backend->socket(v4).local_address(), Payload(i, 20 + i * 11)));
    ASSERT_TRUE(sender6.SendTo(backend->socket(v6).local_address(), Payload(i + 1000, 1200)));
  }
  const std::vector<Received> got = ReceiveCount(*backend, 2 * kEach);
  ASSERT_EQ(got.size(), 2 * kEach);
  size_t next4 = 0;
  size_t next6 = 0;
  for (const Received& r : got) {
    if (r.socket_index == v4) {
      EXPECT_EQ(r.tuple.local, backend->socket(v4).local_address());
      EXPECT_EQ(r.tuple.remote, sender4.address());
      EXPECT_EQ(r.bytes, Payload(next4, 20 + next4 * 11)) << next4;
      ++next4;
    } else {
      ASSERT_EQ(r.socket_index, v6);
      EXPECT_EQ(r.tuple.local, backend->socket(v6).local_address());
      EXPECT_EQ(r.tuple.remote, sender6.address());
      EXPECT_EQ(r.bytes, Payload(next6 + 1000, 1200)) << next6;
      ++next6;
    }
    EXPECT_EQ(r.tuple.protocol, FiveTuple::kProtocolUdp);
  }
  EXPECT_EQ(next4, kEach);
  EXPECT_EQ(next6, kEach);
  EXPECT_EQ(backend->stats().rx_datagrams, 2 * kEach);
}

TEST_P(IoBackendTest, SendsBatchToPlainSocket) {
  for (IpAddress::Family family : {IpAddress::Family::kV4, IpAddress::Family::kV6}) {
    std::unique_ptr<IoBackend> backend = Make();
    ASSERT_NE(backend, nullptr);
    const uint32_t index = AddLoopback(*backend, family);
    PlainUdp receiver(family);
    constexpr size_t kCount = 50;
    for (size_t i = 0; i < kCount; ++i) {
      // Growing sizes: no two neighbours can share a GSO send, so this is the plain path.
      ASSERT_TRUE(backend->QueueSend(index, receiver.address(), Payload(i, 100 + i)));
    }
    EXPECT_EQ(backend->queued_sends(), kCount);
    backend->Flush();
    EXPECT_EQ(backend->queued_sends(), 0u);
    for (size_t i = 0; i < kCount; ++i) {
      SocketAddress from;
      std::optional<std::vector<uint8_t>> bytes = receiver.Receive(&from);
      ASSERT_TRUE(bytes.has_value()) << "datagram " << i << " lost";
      EXPECT_EQ(*bytes, Payload(i, 100 + i));
      EXPECT_EQ(from, backend->socket(index).local_address());
    }
    EXPECT_EQ(backend->stats().tx_datagrams, kCount);
    EXPECT_EQ(backend->stats().tx_errors, 0u);
  }
}

TEST_P(IoBackendTest, PreparedSendIsBuiltInPlace) {
  std::unique_ptr<IoBackend> backend = Make();
  ASSERT_NE(backend, nullptr);
  const uint32_t index = AddLoopback(*backend, IpAddress::Family::kV4);
  PlainUdp receiver(IpAddress::Family::kV4);
  absl::Span<uint8_t> slot = backend->PrepareSend(index, receiver.address());
  ASSERT_GE(slot.size(), 300u);
  const std::vector<uint8_t> payload = Payload(7, 300);
  std::copy(payload.begin(), payload.end(), slot.begin());
  backend->CommitSend(payload.size());
  backend->Flush();
  EXPECT_EQ(receiver.Receive(), payload);
  // Unknown socket, oversized datagram: refused, nothing queued.
  EXPECT_TRUE(backend->PrepareSend(99, receiver.address()).empty());
  EXPECT_FALSE(backend->QueueSend(99, receiver.address(), payload));
  EXPECT_FALSE(backend->QueueSend(index, receiver.address(), std::vector<uint8_t>(4096)));
  EXPECT_EQ(backend->queued_sends(), 0u);
}

TEST_P(IoBackendTest, RefusedSendIsCountedAndTheRestStillGoOut) {
  std::unique_ptr<IoBackend> backend = Make();
  ASSERT_NE(backend, nullptr);
  const uint32_t index = AddLoopback(*backend, IpAddress::Family::kV4);
  PlainUdp receiver(IpAddress::Family::kV4);
  const SocketAddress v6_remote{IpAddress::Loopback(IpAddress::Family::kV6), 9};
  ASSERT_TRUE(backend->QueueSend(index, receiver.address(), Payload(1, 100)));
  // An IPv6 destination on an IPv4 socket: the kernel refuses this one (EAFNOSUPPORT/EINVAL).
  ASSERT_TRUE(backend->QueueSend(index, v6_remote, Payload(2, 100)));
  ASSERT_TRUE(backend->QueueSend(index, v6_remote, Payload(3, 100)));
  ASSERT_TRUE(backend->QueueSend(index, receiver.address(), Payload(4, 100)));
  backend->Flush();
  EXPECT_EQ(receiver.Receive(), Payload(1, 100));
  EXPECT_EQ(receiver.Receive(), Payload(4, 100));
  EXPECT_EQ(backend->stats().tx_datagrams, 2u);
  EXPECT_EQ(backend->stats().tx_errors, 2u);
}

TEST_P(IoBackendTest, FullSendQueueFlushesItself) {
  IoBackendOptions options;
  options.send_capacity = 8;
  std::unique_ptr<IoBackend> backend = Make(options);
  ASSERT_NE(backend, nullptr);
  const uint32_t index = AddLoopback(*backend, IpAddress::Family::kV4);
  PlainUdp receiver(IpAddress::Family::kV4);
  for (size_t i = 0; i < 20; ++i) {
    ASSERT_TRUE(backend->QueueSend(index, receiver.address(), Payload(i, 64 + i)));
  }
  backend->Flush();
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(receiver.Receive(), Payload(i, 64 + i)) << i;
}

TEST_P(IoBackendTest, GsoBurstArrivesAsSeparateDatagrams) {
  for (IpAddress::Family family : {IpAddress::Family::kV4, IpAddress::Family::kV6}) {
    SCOPED_TRACE(family == IpAddress::Family::kV4 ? "IPv4" : "IPv6");
    std::unique_ptr<IoBackend> backend = Make();
    ASSERT_NE(backend, nullptr);
    const uint32_t index = AddLoopback(*backend, family);
    PlainUdp receiver(family);
    PlainUdp other(family);
    // 20 equal segments and a shorter tail to one destination, then one datagram elsewhere, then a
    // run that a larger datagram must split (a segment may not exceed the first one's size).
    std::vector<size_t> sizes(20, 1000);
    sizes.push_back(300);
    for (size_t i = 0; i < sizes.size(); ++i) {
      ASSERT_TRUE(backend->QueueSend(index, receiver.address(), Payload(i, sizes[i])));
    }
    ASSERT_TRUE(backend->QueueSend(index, other.address(), Payload(99, 500)));
    const std::vector<size_t> tail_sizes = {400, 400, 900, 100};
    for (size_t i = 0; i < tail_sizes.size(); ++i) {
      ASSERT_TRUE(backend->QueueSend(index, receiver.address(), Payload(50 + i, tail_sizes[i])));
    }
    backend->Flush();
    for (size_t i = 0; i < sizes.size(); ++i) {
      std::optional<std::vector<uint8_t>> bytes = receiver.Receive();
      ASSERT_TRUE(bytes.has_value()) << "segment " << i << " lost";
      EXPECT_EQ(bytes->size(), sizes[i]);
      EXPECT_EQ(*bytes, Payload(i, sizes[i]));
    }
    for (size_t i = 0; i < tail_sizes.size(); ++i) {
      EXPECT_EQ(receiver.Receive(), Payload(50 + i, tail_sizes[i])) << i;
    }
    EXPECT_EQ(other.Receive(), Payload(99, 500));
    const IoStats& stats = backend->stats();
    EXPECT_EQ(stats.tx_datagrams, sizes.size() + 1 + tail_sizes.size());
    EXPECT_EQ(stats.tx_errors, 0u);
    if (backend->socket(index).gso_supported()) {
      // {21 to receiver}, {1 to other}, {400, 400}, {900, 100}.
      EXPECT_EQ(stats.tx_messages, 4u);
      EXPECT_EQ(stats.tx_gso_batches, 3u);
    }
  }
}

TEST_P(IoBackendTest, GsoSendsRespectSegmentAndSizeLimits) {
  IoBackendOptions options;
  options.max_gso_segments = 8;
  std::unique_ptr<IoBackend> backend = Make(options);
  ASSERT_NE(backend, nullptr);
  const uint32_t index = AddLoopback(*backend, IpAddress::Family::kV4);
  if (!backend->socket(index).gso_supported()) GTEST_SKIP() << "no UDP GSO";
  PlainUdp receiver(IpAddress::Family::kV4);
  // 20 small ones: at most 8 per GSO send -> 8 + 8 + 4.
  for (size_t i = 0; i < 20; ++i) {
    ASSERT_TRUE(backend->QueueSend(index, receiver.address(), Payload(i, 100)));
  }
  backend->Flush();
  EXPECT_EQ(backend->stats().tx_messages, 3u);
  for (size_t i = 0; i < 20; ++i) EXPECT_EQ(receiver.Receive(), Payload(i, 100)) << i;

  // 60 x 1200 bytes with a 64-segment cap: one UDP datagram carries at most 65507 bytes, so
  // 54 + 6. (60, not more, so the plain receiver's default-capped buffer holds them all.)
  options.max_gso_segments = 64;
  std::unique_ptr<IoBackend> big = Make(options);
  ASSERT_NE(big, nullptr);
  const uint32_t big_index = AddLoopback(*big, IpAddress::Family::kV4);
  for (size_t i = 0; i < 60; ++i) {
    ASSERT_TRUE(big->QueueSend(big_index, receiver.address(), Payload(i, 1200)));
  }
  big->Flush();
  EXPECT_EQ(big->stats().tx_messages, 2u);
  EXPECT_EQ(big->stats().tx_datagrams, 60u);
  for (size_t i = 0; i < 60; ++i) {
    std::optional<std::vector<uint8_t>> bytes = receiver.Receive();
    ASSERT_TRUE(bytes.has_value()) << "datagram " << i << " lost";
    EXPECT_EQ(*bytes, Payload(i, 1200)) << i;
  }
}

TEST_P(IoBackendTest, GsoCanBeTurnedOff) {
  IoBackendOptions options;
  options.gso = false;
  std::unique_ptr<IoBackend> backend = Make(options);
  ASSERT_NE(backend, nullptr);
  const uint32_t index = AddLoopback(*backend, IpAddress::Family::kV6);
  PlainUdp receiver(IpAddress::Family::kV6);
  for (size_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(backend->QueueSend(index, receiver.address(), Payload(i, 800)));
  }
  backend->Flush();
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(receiver.Receive(), Payload(i, 800));
  EXPECT_EQ(backend->stats().tx_messages, 10u);
  EXPECT_EQ(backend->stats().tx_gso_batches, 0u);
}

TEST_P(IoBackendTest, GroBufferIsSplitIntoItsSegments) {
  IoBackendOptions options;
  options.receive_slots_per_socket = 16;
  options.receive_slot_bytes = 65536 + 128;
  std::unique_ptr<IoBackend> backend = Make(options);
  ASSERT_NE(backend, nullptr);
  UdpSocketOptions socket_options;
  socket_options.gro = true;
  const uint32_t index = AddLoopback(*backend, IpAddress::Family::kV4, socket_options);
  ASSERT_TRUE(backend->socket(index).gro_enabled());
  PlainUdp sender(IpAddress::Family::kV4);
  // 12 segments of 1100 and a 250-byte tail in one GSO send; with GRO on, loopback delivers the
  // whole super-packet into one buffer with a UDP_GRO segment size.
  std::vector<uint8_t> joined;
  std::vector<std::vector<uint8_t>> expected;
  for (size_t i = 0; i < 13; ++i) {
    expected.push_back(Payload(i, i < 12 ? 1100 : 250));
    joined.insert(joined.end(), expected.back().begin(), expected.back().end());
  }
  ASSERT_TRUE(sender.SendGso(backend->socket(index).local_address(), joined, 1100));
  const std::vector<Received> got = ReceiveCount(*backend, expected.size());
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].bytes, expected[i]) << i;
    EXPECT_EQ(got[i].tuple.remote, sender.address());
  }
  // Loopback hands a GSO send to a GRO socket unsplit, so the splitting path really ran.
  EXPECT_EQ(backend->stats().rx_gro_buffers, 1u);
}

TEST_P(IoBackendTest, GroNeedsLargeSlots) {
  std::unique_ptr<IoBackend> backend = Make();
  ASSERT_NE(backend, nullptr);
  UdpSocketOptions socket_options;
  socket_options.gro = true;
  absl::StatusOr<UdpSocket> socket = UdpSocket::Bind(
      SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0}, socket_options);
  ASSERT_TRUE(socket.ok());
  EXPECT_FALSE(backend->AddSocket(std::move(*socket)).ok());
  EXPECT_EQ(backend->socket_count(), 0u);
}

TEST_P(IoBackendTest, OversizedDatagramIsDroppedAndCounted) {
  IoBackendOptions options;
  options.receive_slots_per_socket = 8;
  std::unique_ptr<IoBackend> backend = Make(options);
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->max_receive_bytes(), options.receive_slot_bytes - 64);
  const uint32_t index = AddLoopback(*backend, IpAddress::Family::kV4);
  PlainUdp sender(IpAddress::Family::kV4);
  const SocketAddress to = backend->socket(index).local_address();
  const size_t max = backend->max_receive_bytes();
  ASSERT_TRUE(sender.SendTo(to, Payload(1, max)));
  ASSERT_TRUE(sender.SendTo(to, Payload(2, max + 1)));
  ASSERT_TRUE(sender.SendTo(to, Payload(3, 1500)));
  ASSERT_TRUE(sender.SendTo(to, Payload(4, 0)));
  const std::vector<Received> got = ReceiveCount(*backend, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].bytes, Payload(1, max));
  EXPECT_EQ(got[1].bytes, Payload(3, 1500));
  EXPECT_TRUE(got[2].bytes.empty());
  EXPECT_EQ(backend->stats().rx_truncated, 1u);
}

TEST_P(IoBackendTest, RecoversFromBufferExhaustion) {
  IoBackendOptions options;
  options.receive_slots_per_socket = 16;
  std::unique_ptr<IoBackend> backend = Make(options);
  ASSERT_NE(backend, nullptr);
  const uint32_t index = AddLoopback(*backend, IpAddress::Family::kV4);
  PlainUdp sender(IpAddress::Family::kV4);
  constexpr size_t kCount = 64;  // four times the buffers
  for (size_t i = 0; i < kCount; ++i) {
    ASSERT_TRUE(sender.SendTo(backend->socket(index).local_address(), Payload(i, 200)));
  }
  // Without releasing, at most 16 datagrams can be handed out.
  std::vector<ReceivedDatagram> batch(kCount);
  size_t held = 0;
  const Instant give_up = MonotonicClock::Now() + kPatience;
  while (held < 16 && MonotonicClock::Now() < give_up) {
    backend->Wait(give_up);
    held += backend->Receive(absl::MakeSpan(batch).subspan(held));
  }
  EXPECT_EQ(held, 16u);
  EXPECT_EQ(backend->Receive(absl::MakeSpan(batch)), 0u);
  for (size_t i = 0; i < held; ++i) {
    EXPECT_EQ(std::vector<uint8_t>(batch[i].bytes.begin(), batch[i].bytes.end()), Payload(i, 200));
  }
  backend->ReleaseReceived();
  // Releasing lets the rest through, in order, and the socket keeps working afterwards.
  std::vector<Received> rest = ReceiveCount(*backend, kCount - held);
  ASSERT_EQ(rest.size(), kCount - held);
  for (size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i].bytes, Payload(held + i, 200));
  ASSERT_TRUE(sender.SendTo(backend->socket(index).local_address(), Payload(1000, 10)));
  rest = ReceiveCount(*backend, 1);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].bytes, Payload(1000, 10));
  if (GetParam() == IoBackendKind::kIoUring) {
    // All 64 were queued in the socket before the first wait, so the multishot receive ran the
    // 16-buffer ring dry and had to be re-armed after the release.
    EXPECT_GT(backend->stats().rx_no_buffers, 0u);
  }
}

TEST_P(IoBackendTest, WakeFromAnotherThreadInterruptsWait) {
  absl::StatusOr<Waker> waker = Waker::Create();
  ASSERT_TRUE(waker.ok());
  IoBackendOptions options;
  options.wake_fd = waker->fd();
  std::unique_ptr<IoBackend> backend = Make(options);
  ASSERT_NE(backend, nullptr);
  AddLoopback(*backend, IpAddress::Family::kV4);
  for (int round = 0; round < 3; ++round) {
    const Instant start = MonotonicClock::Now();
    std::thread other([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      waker->Wake();
    });
    const WaitResult result = backend->Wait(start + std::chrono::seconds(30));
    other.join();
    EXPECT_EQ(result, WaitResult::kWoken) << "round " << round;
    EXPECT_LT(MonotonicClock::Now() - start, std::chrono::seconds(10));
  }
  EXPECT_EQ(backend->stats().wakeups, 3u);
  // The wake was consumed: the next wait times out.
  EXPECT_EQ(backend->Wait(MonotonicClock::Now() + std::chrono::milliseconds(10)),
            WaitResult::kTimeout);
}

TEST_P(IoBackendTest, WaitHonoursDeadline) {
  std::unique_ptr<IoBackend> backend = Make();
  ASSERT_NE(backend, nullptr);
  AddLoopback(*backend, IpAddress::Family::kV4);
  const Instant start = MonotonicClock::Now();
  const Instant deadline = start + std::chrono::milliseconds(30);
  EXPECT_EQ(backend->Wait(deadline), WaitResult::kTimeout);
  const Instant end = MonotonicClock::Now();
  EXPECT_GE(end, deadline);
  EXPECT_LT(end - start, std::chrono::seconds(10));
  // A deadline in the past returns at once.
  EXPECT_EQ(backend->Wait(start), WaitResult::kTimeout);
}

TEST_P(IoBackendTest, WaitReturnsWhenDataArrives) {
  std::unique_ptr<IoBackend> backend = Make();
  ASSERT_NE(backend, nullptr);
  const uint32_t index = AddLoopback(*backend, IpAddress::Family::kV6);
  PlainUdp sender(IpAddress::Family::kV6);
  const Instant start = MonotonicClock::Now();
  std::thread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    sender.SendTo(backend->socket(index).local_address(), Payload(1, 42));
  });
  const WaitResult result = backend->Wait(start + std::chrono::seconds(30));
  other.join();
  EXPECT_EQ(result, WaitResult::kReady);
  std::vector<ReceivedDatagram> batch(4);
  ASSERT_EQ(backend->Receive(absl::MakeSpan(batch)), 1u);
  EXPECT_GE(batch[0].received, start);
  EXPECT_EQ(std::vector<uint8_t>(batch[0].bytes.begin(), batch[0].bytes.end()), Payload(1, 42));
}

TEST_P(IoBackendTest, TwoBackendSocketsTalk) {
  std::unique_ptr<IoBackend> backend = Make();
  ASSERT_NE(backend, nullptr);
  const uint32_t a = AddLoopback(*backend, IpAddress::Family::kV6);
  const uint32_t b = AddLoopback(*backend, IpAddress::Family::kV6);
  for (size_t i = 0; i < 40; ++i) {
    ASSERT_TRUE(backend->QueueSend(a, backend->socket(b).local_address(), Payload(i, 1200)));
  }
  backend->Flush();
  const std::vector<Received> got = ReceiveCount(*backend, 40);
  ASSERT_EQ(got.size(), 40u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].socket_index, b);
    EXPECT_EQ(got[i].tuple.remote, backend->socket(a).local_address());
    EXPECT_EQ(got[i].bytes, Payload(i, 1200));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, IoBackendTest,
                         Values(IoBackendKind::kIoUring, IoBackendKind::kMmsg),
                         [](const ::testing::TestParamInfo<IoBackendKind>& info) {
                           return std::string(
                               IoBackendKindName(info.param) == "io_uring" ? "IoUring" : "Mmsg");
                         });

}  // namespace
}  // namespace sfu::net
