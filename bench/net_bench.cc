// core/net I/O cost per datagram on loopback, batch 32, 200- and 1200-byte datagrams.
//
// send/*: 32 datagrams to one destination per iteration. The sink socket's receive queue is kept
//   full, so the kernel drops on arrival; that is the same for every variant, so the ratios
//   compare what each variant adds on the send path.
//   bare_sendmmsg  one sendmmsg(32) over prebuilt headers (DESIGN.md §5 baseline)
//   bare_gso       one sendmsg with UDP_SEGMENT carrying all 32
//   <backend>      QueueSend x32 + Flush, GSO off (the distinct-destination path)
//   <backend>_gso  the same with GSO on: the 32 become one GSO send
// recv/*: per iteration a bare sendmmsg(32) into the receiving socket (untimed), then the timed
//   part: the receiver takes all 32 and releases them (this thread's CPU time for that part
//   only, manual timing). For io_uring this includes the deferred task work that copies into the
//   buffer ring, which DEFER_TASKRUN runs on this thread.
//
// The machine is shared and noisy (DESIGN.md §5: ±15%): compare ratios from one run, not numbers
// across runs.
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "core/net/io_backend.h"
#include "core/net/monotonic_clock.h"
#include "core/net/udp_socket.h"

namespace sfu::bench {
namespace {

using net::IoBackend;
using net::IoBackendKind;
using net::IoBackendOptions;
using net::UdpSocket;

constexpr size_t kBatch = 32;

SocketAddress LoopbackV4() { return SocketAddress{IpAddress::Loopback(IpAddress::Family::kV4), 0}; }

// A socket whose receive queue is full and stays full: every datagram sent to it is dropped on
// arrival, so send benchmarks never need draining.
UdpSocket FullSink() {
  net::UdpSocketOptions options;
  options.receive_buffer_bytes = 1;  // the kernel's minimum
  UdpSocket sink = *UdpSocket::Bind(LoopbackV4(), options);
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_storage to;
  const socklen_t len = sink.local_address().ToSockaddr(&to);
  std::vector<uint8_t> filler(1200);
  for (int i = 0; i < 64; ++i) {
    sendto(fd, filler.data(), filler.size(), 0, reinterpret_cast<sockaddr*>(&to), len);
  }
  close(fd);
  return sink;
}

// Prebuilt sendmmsg headers for 32 datagrams of `size` to `to`.
struct BareBatch {
  BareBatch(const SocketAddress& destination, size_t size) : payload(kBatch * size, 0x5a) {
    namelen = destination.ToSockaddr(&to);
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i] = iovec{payload.data() + i * size, size};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_name = &to;
      msgs[i].msg_hdr.msg_namelen = namelen;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
  }
  std::vector<uint8_t> payload;
  sockaddr_storage to;
  socklen_t namelen;
  std::array<iovec, kBatch> iov;
  std::array<mmsghdr, kBatch> msgs;
};

// This thread's CPU time: unlike wall time it leaves out the time other helpers' processes hold
// the core, and with DEFER_TASKRUN the io_uring receive work runs on this thread too.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void SetRate(benchmark::State& state) {
  state.counters["pkts/s"] = benchmark::Counter(static_cast<double>(state.iterations() * kBatch),
                                                benchmark::Counter::kIsRate);
}

void SendBareSendmmsg(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  UdpSocket sink = FullSink();
  UdpSocket sender = *UdpSocket::Bind(LoopbackV4());
  BareBatch batch(sink.local_address(), size);
  for (auto _ : state) {
    if (sendmmsg(sender.fd(), batch.msgs.data(), kBatch, 0) != static_cast<int>(kBatch)) {
      state.SkipWithError("sendmmsg");
      break;
    }
  }
  SetRate(state);
}

void SendBareGso(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  UdpSocket sink = FullSink();
  UdpSocket sender = *UdpSocket::Bind(LoopbackV4());
  BareBatch batch(sink.local_address(), size);
  msghdr msg{};
  msg.msg_name = &batch.to;
  msg.msg_namelen = batch.namelen;
  msg.msg_iov = batch.iov.data();
  msg.msg_iovlen = kBatch;
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(uint16_t))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_UDP;
  c->cmsg_type = UDP_SEGMENT;
  c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  const uint16_t segment = static_cast<uint16_t>(size);
  std::memcpy(CMSG_DATA(c), &segment, sizeof(segment));
  for (auto _ : state) {
    if (sendmsg(sender.fd(), &msg, 0) < 0) {
      state.SkipWithError("sendmsg(UDP_SEGMENT)");
      break;
    }
  }
  SetRate(state);
}

void SendBackend(benchmark::State& state, IoBackendKind kind, bool gso) {
  const size_t size = static_cast<size_t>(state.range(0));
  UdpSocket sink = FullSink();
  IoBackendOptions options;
  options.kind = kind;
  options.gso = gso;
  options.receive_slots_per_socket = 64;
  std::unique_ptr<IoBackend> backend = *IoBackend::Create(options);
  const uint32_t index = *backend->AddSocket(*UdpSocket::Bind(LoopbackV4()));
  const SocketAddress to = sink.local_address();
  const std::vector<uint8_t> payload(size, 0x5a);
  for (auto _ : state) {
    for (size_t i = 0; i < kBatch; ++i) backend->QueueSend(index, to, payload);
    backend->Flush();
  }
  if (backend->stats().tx_errors != 0) state.SkipWithError("send errors");
  SetRate(state);
}

void RecvBareRecvmmsg(benchmark::State& state) {
  const size_t size = static_cast<size_t>(state.range(0));
  UdpSocket receiver = *UdpSocket::Bind(LoopbackV4());
  UdpSocket sender = *UdpSocket::Bind(LoopbackV4());
  BareBatch batch(receiver.local_address(), size);
  std::vector<uint8_t> slots(kBatch * 2048);
  std::array<iovec, kBatch> iov;
  std::array<sockaddr_storage, kBatch> names;
  std::array<mmsghdr, kBatch> msgs;
  for (auto _ : state) {
    sendmmsg(sender.fd(), batch.msgs.data(), kBatch, 0);
    const double t0 = ThreadCpuSeconds();
    size_t got = 0;
    for (int tries = 0; got < kBatch && tries < 1000; ++tries) {
      for (size_t i = 0; i < kBatch; ++i) {
        iov[i] = iovec{slots.data() + i * 2048, 2048};
        msgs[i] = mmsghdr{};
        msgs[i].msg_hdr.msg_name = &names[i];
        msgs[i].msg_hdr.msg_namelen = sizeof(names[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      const int n = recvmmsg(receiver.fd(), msgs.data(), static_cast<unsigned>(kBatch - got),
                             MSG_DONTWAIT, nullptr);
      if (n > 0) got += static_cast<size_t>(n);
    }
    benchmark::DoNotOptimize(net::MonotonicClock::Now());  // the backends read the clock too
    state.SetIterationTime(ThreadCpuSeconds() - t0);
    if (got != kBatch) {
      state.SkipWithError("datagrams lost");
      break;
    }
  }
  SetRate(state);
}

void RecvBackend(benchmark::State& state, IoBackendKind kind) {
  const size_t size = static_cast<size_t>(state.range(0));
  IoBackendOptions options;
  options.kind = kind;
  options.receive_slots_per_socket = 256;
  std::unique_ptr<IoBackend> backend = *IoBackend::Create(options);
  const uint32_t index = *backend->AddSocket(*UdpSocket::Bind(LoopbackV4()));
  UdpSocket sender = *UdpSocket::Bind(LoopbackV4());
  BareBatch batch(backend->socket(index).local_address(), size);
  std::array<net::ReceivedDatagram, kBatch> received;
  for (auto _ : state) {
    sendmmsg(sender.fd(), batch.msgs.data(), kBatch, 0);
    const double t0 = ThreadCpuSeconds();
    size_t got = 0;
    for (int tries = 0; got < kBatch && tries < 1000; ++tries) {
      got += backend->Receive(absl::MakeSpan(received).subspan(got));
    }
    backend->ReleaseReceived();
    state.SetIterationTime(ThreadCpuSeconds() - t0);
    if (got != kBatch) {
      state.SkipWithError("datagrams lost");
      break;
    }
  }
  SetRate(state);
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      auto it = run.counters.find("pkts/s");
      if (it == run.counters.end()) continue;
      // Without the "/min_time:..." suffix, so names read as registered: "send/mmsg/200".
      double& best = best_[run.run_name.function_name + "/" + run.run_name.args];
      best = std::max(best, it->second.value);
    }
    ConsoleReporter::ReportRuns(runs);
  }
  double Value(const std::string& name) const {
    auto it = best_.find(name);
    return it == best_.end() ? 0 : it->second;
  }
  // Cost ratio a/b (ns per datagram); < 1 means a is cheaper.
  void PrintRatio(const std::string& a, const std::string& b) const {
    const double va = Value(a);
    const double vb = Value(b);
    if (va == 0 || vb == 0) return;
    std::printf("  %-28s %7.0f ns/pkt  vs %-26s %7.0f ns/pkt   cost ratio %5.2f\n", a.c_str(),
                1e9 / va, b.c_str(), 1e9 / vb, vb / va);
  }

 private:
  std::map<std::string, double> best_;
};

}  // namespace
}  // namespace sfu::bench

int main(int argc, char** argv) {
  using sfu::bench::RatioReporter;
  using sfu::net::IoBackendKind;
  namespace b = sfu::bench;
  const std::vector<int64_t> sizes = {200, 1200};
  auto reg = [&](const char* name, auto fn) {
    // Best of three: a shared 2-core machine mostly adds noise upwards.
    benchmark::internal::Benchmark* bm =
        benchmark::RegisterBenchmark(name, fn)->ArgsProduct({sizes})->MinTime(0.2)->Repetitions(3);
    // Receive iterations time only the receiving (the sender's sendmmsg runs untimed).
    if (std::string(name).rfind("recv/", 0) == 0) bm->UseManualTime();
  };
  reg("send/bare_sendmmsg", b::SendBareSendmmsg);
  reg("send/mmsg", [](benchmark::State& s) { b::SendBackend(s, IoBackendKind::kMmsg, false); });
  reg("send/io_uring",
      [](benchmark::State& s) { b::SendBackend(s, IoBackendKind::kIoUring, false); });
  reg("send/bare_gso", b::SendBareGso);
  reg("send/mmsg_gso", [](benchmark::State& s) { b::SendBackend(s, IoBackendKind::kMmsg, true); });
  reg("send/io_uring_gso",
      [](benchmark::State& s) { b::SendBackend(s, IoBackendKind::kIoUring, true); });
  reg("recv/bare_recvmmsg", b::RecvBareRecvmmsg);
  reg("recv/mmsg", [](benchmark::State& s) { b::RecvBackend(s, IoBackendKind::kMmsg); });
  reg("recv/io_uring", [](benchmark::State& s) { b::RecvBackend(s, IoBackendKind::kIoUring); });

  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  std::printf(
      "\ncost per datagram, batch 32 (cost ratio = variant ns / baseline ns; < 1 is cheaper "
      "than the baseline):\n");
  for (const char* size : {"/200", "/1200"}) {
    const std::string s = size;
    reporter.PrintRatio("send/mmsg" + s, "send/bare_sendmmsg" + s);
    reporter.PrintRatio("send/io_uring" + s, "send/bare_sendmmsg" + s);
    reporter.PrintRatio("send/io_uring" + s, "send/mmsg" + s);
    reporter.PrintRatio("send/mmsg_gso" + s, "send/bare_gso" + s);
    reporter.PrintRatio("send/io_uring_gso" + s, "send/bare_gso" + s);
    reporter.PrintRatio("send/io_uring_gso" + s, "send/bare_sendmmsg" + s);
    reporter.PrintRatio("recv/mmsg" + s, "recv/bare_recvmmsg" + s);
    reporter.PrintRatio("recv/io_uring" + s, "recv/bare_recvmmsg" + s);
    reporter.PrintRatio("recv/io_uring" + s, "recv/mmsg" + s);
  }
  return 0;
}
