#include "core/net/shard_loop.h"

#include <algorithm>
#include <future>
#include <utility>

#include "core/net/monotonic_clock.h"
#include "crypto/random.h"

namespace sfu::net {

absl::StatusOr<std::unique_ptr<ShardLoop>> ShardLoop::Start(
    ShardLoopOptions options, std::shared_ptr<const crypto::Certificate> certificate,
    ShardControl control) {
  if (options.listen.empty()) return absl::InvalidArgumentError("shard has no listen address");
  if (!control.pop_command || !control.push_event) {
    return absl::InvalidArgumentError("shard control needs pop_command and push_event");
  }
  std::vector<UdpSocket> sockets;
  for (const SocketAddress& address : options.listen) {
    absl::StatusOr<UdpSocket> socket = UdpSocket::Bind(address, options.socket);
    if (!socket.ok()) return socket.status();
    sockets.push_back(*std::move(socket));
  }
  std::unique_ptr<ShardLoop> loop(new ShardLoop(std::move(options), std::move(certificate),
                                                std::move(control), std::move(sockets)));
  std::promise<absl::Status> ready;
  std::future<absl::Status> setup = ready.get_future();
  ShardLoop* self = loop.get();
  absl::StatusOr<std::unique_ptr<ShardThread>> thread = ShardThread::Start(
      self->options_.index, self->options_.cpu,
      [self, &ready](const ShardContext& context) { self->Run(context, ready); });
  if (!thread.ok()) return thread.status();
  loop->thread_ = *std::move(thread);
  // Run() always fulfils the promise before it touches anything else of this frame.
  absl::Status status = setup.get();
  if (!status.ok()) {
    loop->Stop();
    return status;
  }
  return loop;
}

ShardLoop::ShardLoop(ShardLoopOptions options,
                     std::shared_ptr<const crypto::Certificate> certificate, ShardControl control,
                     std::vector<UdpSocket> sockets)
    : options_(std::move(options)),
      certificate_(std::move(certificate)),
      control_(std::move(control)),
      sockets_(std::move(sockets)) {
  for (const UdpSocket& socket : sockets_) local_addresses_.push_back(socket.local_address());
}

ShardLoop::~ShardLoop() { Stop(); }

void ShardLoop::Stop() {
  // Twice would wake a control waker that may be gone by then (the daemon stops every shard of a
  // mesh before any channel dies, then destroys each).
  if (thread_ == nullptr || stopped_) return;
  stopped_ = true;
  stop_.store(true, std::memory_order_release);
  // The backend waits on the control waker, not on the ShardThread's own one.
  if (control_.waker != nullptr) control_.waker->Wake();
  thread_->Stop();
}

bool ShardLoop::stopping(const ShardContext& context) const {
  return stop_.load(std::memory_order_acquire) || context.stop_requested();
}

void ShardLoop::Run(const ShardContext& context, std::promise<absl::Status>& ready) {
  IoBackendOptions io = options_.io;
  io.wake_fd = control_.waker != nullptr ? control_.waker->fd() : context.wake_fd();
  absl::StatusOr<std::unique_ptr<IoBackend>> created = IoBackend::Create(io);
  if (!created.ok()) {
    ready.set_value(created.status());
    return;
  }
  std::unique_ptr<IoBackend> backend = *std::move(created);
  for (UdpSocket& socket : sockets_) {
    absl::StatusOr<uint32_t> index = backend->AddSocket(std::move(socket));
    if (!index.ok()) {
      ready.set_value(index.status());
      return;
    }
  }
  sockets_.clear();
  crypto::SystemRandom random;
  auto engine = std::make_unique<sfu::ShardEngine>(options_.engine, certificate_, random);
  if (options_.cross_shard != nullptr) {
    engine->AttachCrossShard(options_.cross_shard, static_cast<uint16_t>(options_.index));
  }
  ready.set_value(absl::OkStatus());  // `ready` dangles from here on

  ShardObserver* const observer = options_.observer;
  Instant last_publish = MonotonicClock::Now();
  while (!stopping(context)) {
    Instant deadline = engine->NextTimeout();
    if (held_event_.has_value() || control_.waker == nullptr) {
      deadline = std::min(deadline, MonotonicClock::Now() + kIdlePoll);
    }
    // Slots left by the bounded drain below: look at the sockets, but do not sleep.
    if (engine->cross_shard_pending()) deadline = std::min(deadline, MonotonicClock::Now());
    const Instant wait_start = observer != nullptr ? MonotonicClock::Now() : Instant();
    backend->Wait(deadline);
    const Instant woke = observer != nullptr ? MonotonicClock::Now() : Instant();

    // Datagrams: one clock read per receive batch, one flush per batch so a burst from one
    // publisher leaves as GSO runs per subscriber.
    for (;;) {
      const size_t n = backend->Receive(absl::MakeSpan(batch_));
      if (n == 0) break;
      const Instant now = MonotonicClock::Now();
      for (size_t i = 0; i < n; ++i) {
        // A big room fills the engine's output queues within a few datagrams: send what is
        // queued before it would have to drop copies (the receive slots stay ours until
        // ReleaseReceived).
        if (!engine->transmits().empty() && engine->NeedsFlush()) {
          QueueTransmits(*engine, *backend);
          Flush(*backend);
        }
        const ReceivedDatagram& d = batch_[i];
        // The receive slot is ours until ReleaseReceived (both backends hand out writable memory
        // they mapped), and the engine decrypts in place rather than copying every packet.
        auto* bytes = const_cast<uint8_t*>(d.bytes.data());
        engine->HandleDatagram(now, d.tuple, absl::MakeSpan(bytes, d.bytes.size()));
      }
      QueueTransmits(*engine, *backend);
      Flush(*backend);
      backend->ReleaseReceived();
      if (observer != nullptr) {
        observer->OnReceiveBatch(n);
        observer->OnForwardLatency(MonotonicClock::Now() - now);
      }
    }

    // Other shards' hand-offs: plaintext for this shard's subscribers, or their feedback for
    // this shard's publishers. One send batch per drain, like a receive batch.
    for (size_t round = 0; round < kCrossShardDrainsPerIteration; ++round) {
      const Instant drained_at = MonotonicClock::Now();
      if (engine->DrainCrossShard(drained_at, kCrossShardBatch) == 0) break;
      QueueTransmits(*engine, *backend);
      Flush(*backend);
      if (observer != nullptr) observer->OnForwardLatency(MonotonicClock::Now() - drained_at);
    }

    const Instant now = MonotonicClock::Now();
    for (size_t i = 0; i < kCommandsPerIteration; ++i) {
      std::optional<sfu::ShardCommand> command = control_.pop_command();
      if (!command.has_value()) break;
      // A refused AddPeer is reported by the engine itself as PeerRemoved{kRejected}.
      (void)engine->HandleCommand(now, *std::move(command));
    }
    if (engine->NextTimeout() <= now) engine->HandleTimeout(now);
    QueueTransmits(*engine, *backend);
    Flush(*backend);
    PushEvents(*engine);
    if (observer != nullptr) {
      const Instant done = MonotonicClock::Now();
      observer->OnLoopTime(done - woke, woke - wait_start);
      if (done - last_publish >= kCounterPublishInterval) {
        PublishCounters(*engine, *backend);
        last_publish = done;
      }
    }
  }

  // Shutdown: close_notify to every connected peer, sent before the sockets close.
  engine->Shutdown(MonotonicClock::Now());
  QueueTransmits(*engine, *backend);
  Flush(*backend);
  PushEvents(*engine);
  if (observer != nullptr) PublishCounters(*engine, *backend);
  final_stats_ = engine->stats();
  final_io_stats_ = backend->stats();
  final_unroutable_ = unroutable_;
  final_cross_shard_stats_ = engine->cross_shard_stats();
}

void ShardLoop::Flush(IoBackend& backend) {
  const uint64_t before = backend.stats().tx_datagrams;
  backend.Flush();
  const uint64_t sent = backend.stats().tx_datagrams - before;
  if (options_.observer != nullptr && sent > 0) options_.observer->OnSendBatch(sent);
}

void ShardLoop::PublishCounters(const sfu::ShardEngine& engine, const IoBackend& backend) {
  options_.observer->OnCounters(engine.stats(), engine.router().stats(), backend.stats());
  options_.observer->OnCrossShardCounters(engine.cross_shard_stats());
}

void ShardLoop::QueueTransmits(sfu::ShardEngine& engine, IoBackend& backend) {
  for (const sfu::Transmit& t : engine.transmits()) {
    // A shard has one socket per address family at most a handful: a scan beats a map.
    uint32_t socket = 0;
    const uint32_t sockets = static_cast<uint32_t>(backend.socket_count());
    while (socket < sockets && !(backend.socket(socket).local_address() == t.destination.local)) {
      ++socket;
    }
    if (socket == sockets || !backend.QueueSend(socket, t.destination.remote, t.data)) {
      ++unroutable_;
    }
  }
  engine.ClearTransmits();
  for (uint16_t shard : engine.cross_shard_wakes()) {
    if (shard < options_.shard_wakers.size() && options_.shard_wakers[shard] != nullptr) {
      options_.shard_wakers[shard]->Wake();
    }
  }
  engine.ClearCrossShardWakes();
}

void ShardLoop::PushEvents(sfu::ShardEngine& engine) {
  if (held_event_.has_value()) {
    if (!control_.push_event(std::move(*held_event_))) return;
    held_event_.reset();
  }
  while (std::optional<sfu::ShardEvent> event = engine.PollEvent()) {
    if (options_.observer != nullptr) {
      if (const auto* connected = std::get_if<sfu::PeerConnected>(&*event)) {
        options_.observer->OnHandshake(connected->handshake_duration);
      }
    }
    if (!control_.push_event(std::move(*event))) {
      held_event_ = std::move(event);
      return;
    }
  }
}

}  // namespace sfu::net
