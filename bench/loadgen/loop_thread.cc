#include "bench/loadgen/loop_thread.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/net/monotonic_clock.h"

namespace sfu::loadgen {
namespace {

constexpr uint32_t kWakeId = UINT32_MAX;
constexpr size_t kRecvBatch = 64;
constexpr int kMaxEvents = 256;
constexpr Duration kPublishInterval = std::chrono::milliseconds(250);
// Longest sleep without a timer due, so the inbox and shutdown are noticed even if a wake-up
// were missed.
constexpr int kMaxWaitMs = 100;

void AddCounters(ThreadSnapshot& into, const SimPeer& peer) {
  const PeerStats& s = peer.stats();
  into.rtp_in += s.rtp_in;
  into.rtp_out += s.rtp_out;
  into.bytes_in += s.bytes_in;
  into.bytes_out += s.bytes_out;
  for (const ReceiveStreamStats* r : {&s.audio, &s.video}) {
    into.media_expected += r->probe.expected();
    into.media_received += std::min(r->probe.received(), r->probe.expected());
  }
}

}  // namespace

LoopThread::LoopThread(size_t max_peers, Duration spin)
    : timers_(max_peers), slots_(max_peers), recv_buffers_(kRecvBatch), spin_(spin) {
  free_slots_.reserve(max_peers);
  for (size_t i = max_peers; i > 0; --i) free_slots_.push_back(static_cast<uint32_t>(i - 1));
}

LoopThread::~LoopThread() {
  if (thread_.joinable()) {
    Finish();
    thread_.join();
  }
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (event_fd_ >= 0) close(event_fd_);
}

absl::Status LoopThread::Start() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || event_fd_ < 0) {
    return absl::InternalError(absl::StrCat("epoll/eventfd: ", std::strerror(errno)));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = kWakeId;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &ev) != 0) {
    return absl::InternalError(absl::StrCat("epoll_ctl: ", std::strerror(errno)));
  }
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void LoopThread::AddPeer(PeerJob job) {
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    inbox_.push_back(std::move(job));
  }
  const uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof(one));
}

void LoopThread::ClosePeer(uint32_t id) {
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    close_requests_.push_back(id);
  }
  const uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof(one));
}

void LoopThread::StopMedia() {
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    stop_media_ = true;
  }
  const uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof(one));
}

void LoopThread::Hold() {
  std::lock_guard<std::mutex> lock(inbox_mutex_);
  hold_ = true;
}

void LoopThread::Release() {
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    hold_ = false;
  }
  const uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof(one));
}

void LoopThread::ResetLatency() {
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    reset_latency_ = true;
  }
  const uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof(one));
}

void LoopThread::Finish() {
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    finish_ = true;
  }
  const uint64_t one = 1;
  (void)!write(event_fd_, &one, sizeof(one));
}

void LoopThread::Join() {
  if (thread_.joinable()) thread_.join();
}

ThreadSnapshot LoopThread::Snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  return snapshot_;
}

void LoopThread::Run() {
  std::array<epoll_event, kMaxEvents> events;
  std::vector<net::TimerHeap::TimerId> expired(256);
  next_publish_ = net::MonotonicClock::Now() + kPublishInterval;
  bool finishing = false;
  while (true) {
    Instant now = net::MonotonicClock::Now();
    {
      std::lock_guard<std::mutex> lock(inbox_mutex_);
      finishing = finish_;
    }
    DrainInbox(now);
    if (finishing) break;
    ServiceTimers(now);
    if (now >= next_publish_) {
      Publish(now);
      next_publish_ = now + kPublishInterval;
    }
    const int n = Wait(std::min(timers_.NextDeadline(), next_publish_), events.data());
    for (int i = 0; i < n; ++i) {
      const uint32_t id = events[i].data.u32;
      if (id == kWakeId) {
        uint64_t value = 0;
        (void)!read(event_fd_, &value, sizeof(value));
        continue;
      }
      ReadSocket(id);
    }
  }
  // Finish: close every live peer (close_notify goes out), record them all.
  const Instant now = net::MonotonicClock::Now();
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].peer == nullptr) continue;
    slots_[i].peer->Close(now, outbox_);
    Flush(slots_[i]);
    Retire(i);
  }
  Publish(now);
}

int LoopThread::Wait(Instant deadline, epoll_event* events) {
  Instant now = net::MonotonicClock::Now();
  if (deadline <= now) {
    ++loop_stats_.busy;
    return epoll_wait(epoll_fd_, events, kMaxEvents, 0);
  }
  if (spin_ > Duration::zero()) {
    // Polling instead of sleeping: a datagram that arrives now finds this thread running, so
    // the sender's kernel path (sock_def_readable) has no task to wake on our behalf, which on
    // loopback it would otherwise charge to sfud's CPU. Bounded by the spin budget and the
    // deadline; the cost is this thread's core.
    const Instant spin_start = now;
    const Instant spin_end = std::min(now + spin_, deadline);
    while (now < spin_end) {
      const int n = epoll_wait(epoll_fd_, events, kMaxEvents, 0);
      ++loop_stats_.spin_polls;
      now = net::MonotonicClock::Now();
      if (n != 0) {
        ++loop_stats_.spins;
        loop_stats_.spin_ns += (now - spin_start).count();
        return n;
      }
    }
    loop_stats_.spin_ns += (now - spin_start).count();
    if (now >= deadline) {
      ++loop_stats_.spins;  // the timer fell due while spinning
      return 0;
    }
  }
  ++loop_stats_.sleeps;
  const int64_t ns = (deadline - now).count();
  const int wait_ms = static_cast<int>(std::min<int64_t>((ns + 999'999) / 1'000'000, kMaxWaitMs));
  return epoll_wait(epoll_fd_, events, kMaxEvents, wait_ms);
}

void LoopThread::DrainInbox(Instant now) {
  std::vector<PeerJob> jobs;
  std::vector<uint32_t> closes;
  bool stop_media = false;
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    jobs.swap(inbox_);
    closes.swap(close_requests_);
    stop_media = stop_media_;
    holding_ = hold_;
    if (reset_latency_) {
      latency_.Reset();
      reset_latency_ = false;
    }
  }
  if (!holding_ && !held_.empty()) {
    for (uint32_t index : held_) {
      if (slots_[index].peer == nullptr) continue;
      slots_[index].post_started = now;  // the storm's clock starts at the release
      slots_[index].peer->Start(now, outbox_);
      AfterCall(index);
    }
    held_.clear();
  }
  for (uint32_t id : closes) {
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].peer == nullptr || slots_[i].id != id) continue;
      slots_[i].churned = true;
      slots_[i].peer->Close(now, outbox_);
      Flush(slots_[i]);
      Retire(i);
    }
  }
  // After the closes: a churned peer's next session (same id) must not be closed with its last.
  for (PeerJob& job : jobs) StartPeer(now, std::move(job));
  if (stop_media && !media_stopped_) {
    media_stopped_ = true;
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].peer == nullptr) continue;
      slots_[i].peer->StopMedia();
      AfterCall(i);
    }
  }
}

void LoopThread::StartPeer(Instant now, PeerJob job) {
  if (free_slots_.empty()) {
    PeerResult r;
    r.id = job.id;
    r.room = job.room;
    r.role = job.config.role;
    r.session = job.session;
    r.location = job.location;
    r.failure = FailureReason::kSocket;
    r.failure_detail = "loop thread full (--max-peers-per-thread)";
    results_.push_back(std::move(r));
    return;
  }
  const uint32_t index = free_slots_.back();
  free_slots_.pop_back();
  Slot& slot = slots_[index];
  slot.id = job.id;
  slot.room = job.room;
  slot.session = job.session;
  slot.location = std::move(job.location);
  slot.http_status = job.http_status;
  slot.post_started = job.post_started;
  slot.signaling_ns = job.signaling_ns;
  slot.churned = false;
  slot.server = job.server;
  slot.socket = std::move(job.socket);
  slot.peer = std::make_unique<SimPeer>(std::move(job.config), random_, &latency_);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = index;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, slot.socket->fd(), &ev) != 0) {
    slot.peer->Fail(FailureReason::kSocket, absl::StrCat("epoll_ctl: ", std::strerror(errno)));
    Retire(index);
    return;
  }
  if (media_stopped_) slot.peer->StopMedia();
  if (holding_) {
    held_.push_back(index);
    return;
  }
  slot.peer->Start(now, outbox_);
  AfterCall(index);
}

void LoopThread::ServiceTimers(Instant now) {
  net::TimerHeap::TimerId ids[256];
  for (int round = 0; round < 64; ++round) {
    const size_t n = timers_.PopExpired(now, absl::MakeSpan(ids));
    for (size_t i = 0; i < n; ++i) {
      Slot& slot = slots_[ids[i]];
      if (slot.peer == nullptr) continue;
      slot.peer->HandleTimeout(now, outbox_);
      AfterCall(ids[i]);
    }
    if (n < 256) break;
  }
}

void LoopThread::ReadSocket(uint32_t index) {
  if (index >= slots_.size() || slots_[index].peer == nullptr) return;
  Slot& slot = slots_[index];
  auto& buffers = recv_buffers_;
  std::array<mmsghdr, kRecvBatch> msgs{};
  std::array<iovec, kRecvBatch> iovs{};
  // Bounded: at most 16 batches per wake-up, then the other sockets get their turn.
  for (int round = 0; round < 16; ++round) {
    for (size_t i = 0; i < kRecvBatch; ++i) {
      iovs[i] = {buffers[i].data(), buffers[i].size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = recvmmsg(slot.socket->fd(), msgs.data(), kRecvBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) break;
    const Instant now = net::MonotonicClock::Now();
    for (int i = 0; i < n && slot.peer != nullptr && !slot.peer->done(); ++i) {
      slot.peer->HandleDatagram(now, absl::MakeSpan(buffers[i].data(), msgs[i].msg_len), outbox_);
      // Flush as we go so the outbox never fills with one socket's answers.
      if (outbox_.size() > outbox_.capacity() / 2) Flush(slot);
    }
    AfterCall(index);
    if (slots_[index].peer == nullptr || n < static_cast<int>(kRecvBatch)) break;
  }
}

void LoopThread::AfterCall(uint32_t index) {
  Slot& slot = slots_[index];
  Flush(slot);
  if (slot.peer->done()) {
    Retire(index);
    return;
  }
  const Instant next = slot.peer->NextTimeout();
  if (next == Instant::Infinite()) {
    timers_.Cancel(index);
  } else {
    timers_.Schedule(index, next);
  }
}

void LoopThread::Flush(Slot& slot) {
  if (outbox_.empty()) return;
  sockaddr_storage to{};
  const socklen_t to_len = slot.server.ToSockaddr(&to);
  std::array<mmsghdr, 64> msgs{};
  std::array<iovec, 64> iovs{};
  size_t sent = 0;
  while (sent < outbox_.size()) {
    const size_t batch = std::min<size_t>(64, outbox_.size() - sent);
    for (size_t i = 0; i < batch; ++i) {
      absl::Span<const uint8_t> d = outbox_.datagram(sent + i);
      iovs[i] = {const_cast<uint8_t*>(d.data()), d.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &to;
      msgs[i].msg_hdr.msg_namelen = to_len;
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = sendmmsg(slot.socket->fd(), msgs.data(), static_cast<unsigned>(batch), 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      // A full socket buffer (or a refused port): what was not sent is lost, as on a network.
      tx_errors_ += outbox_.size() - sent;
      break;
    }
    sent += static_cast<size_t>(n);
  }
  outbox_.Clear();
}

void LoopThread::Retire(uint32_t index) {
  Slot& slot = slots_[index];
  if (slot.peer == nullptr) return;
  timers_.Cancel(index);
  if (slot.socket.has_value()) {
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, slot.socket->fd(), nullptr);
    slot.socket.reset();
  }
  PeerResult r;
  r.id = slot.id;
  r.room = slot.room;
  r.role = slot.peer->role();
  r.session = slot.session;
  r.location = slot.location;
  r.http_status = slot.http_status;
  r.signaling_ns = slot.signaling_ns;
  r.post_started_ns = slot.post_started.nanos();
  r.churned = slot.churned;
  r.stats = slot.peer->stats();
  r.failure = r.stats.failure;
  r.failure_detail = r.stats.failure_detail;
  if (r.stats.dtls_connected.has_value()) {
    r.connect_ns = (*r.stats.dtls_connected - slot.post_started).count();
    if (r.stats.started.has_value()) {
      r.handshake_ns = (*r.stats.dtls_connected - *r.stats.started).count();
    }
  }
  AddCounters(retired_, *slot.peer);
  if (r.failure != FailureReason::kNone) ++retired_.peers_failed;
  results_.push_back(std::move(r));
  slot.peer.reset();
  free_slots_.push_back(index);
}

void LoopThread::Publish(Instant now) {
  (void)now;
  ThreadSnapshot snap = retired_;
  snap.publishers_connected = 0;
  snap.subscribers_connected = 0;
  for (const Slot& slot : slots_) {
    if (slot.peer == nullptr) continue;
    AddCounters(snap, *slot.peer);
    if (slot.peer->connected()) {
      if (slot.peer->role() == PeerRole::kPublisher) {
        ++snap.publishers_connected;
      } else {
        ++snap.subscribers_connected;
      }
    }
  }
  snap.latency = latency_;
  snap.loop = loop_stats_;
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  snapshot_ = std::move(snap);
}

}  // namespace sfu::loadgen
