#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/common/five_tuple.h"
#include "core/common/instant.h"
#include "core/common/random.h"
#include "core/dtls/dtls_endpoint.h"
#include "core/dtls/dtls_server_context.h"

namespace sfu::dtls::testing {

// Deterministic impairments of the in-memory link, drawn from a SeededRandom.
struct LinkFaults {
  int loss_percent = 0;
  int duplicate_percent = 0;
  int reorder_percent = 0;      // swap a datagram with the one queued after it
  bool reverse_bursts = false;  // deliver each burst of datagrams last-first
};

// Our client endpoint and a DtlsServerContext (then its server endpoint) pumped against each
// other in memory with no sockets and a simulated clock: datagrams are delivered until both
// queues are empty, then time jumps to the earliest NextTimeout(). Optional hooks see (and may
// rewrite or drop) every datagram in flight.
class LoopbackPair {
 public:
  using Hook = std::function<bool(std::vector<uint8_t>& datagram)>;  // false = drop

  LoopbackPair(const DtlsConfig& client_config, const DtlsConfig& server_config,
               std::shared_ptr<const crypto::Certificate> client_cert,
               std::shared_ptr<const crypto::Certificate> server_cert, uint64_t seed,
               LinkFaults faults = {});

  // Runs until both sides reported a terminal event (or the client failed before a server
  // endpoint existed), at most `max_steps` deliveries/timeouts. True if both are connected.
  bool Run(int max_steps = 5000);

  DtlsEndpoint& client() { return *client_; }
  DtlsEndpoint* server() { return server_.get(); }
  DtlsServerContext& context() { return context_; }
  Instant now() const { return now_; }
  std::vector<DtlsEvent>& client_events() { return client_events_; }
  std::vector<DtlsEvent>& server_events() { return server_events_; }
  const DtlsEvent* ClientConnected() const;
  const DtlsEvent* ServerConnected() const;

  Hook to_server_hook;
  Hook to_client_hook;
  int hello_verify_requests = 0;

 private:
  void Drain(DtlsEndpoint& endpoint, std::deque<std::vector<uint8_t>>& queue, const Hook& hook);
  void Enqueue(std::vector<std::vector<uint8_t>> burst, std::deque<std::vector<uint8_t>>& queue,
               const Hook& hook);
  bool DeliverOne();
  void PollEvents();
  bool Done() const;

  SeededRandom random_;
  SeededRandom link_random_;
  LinkFaults faults_;
  SocketAddress client_address_;
  DtlsServerContext context_;
  std::unique_ptr<DtlsEndpoint> client_;
  std::unique_ptr<DtlsEndpoint> server_;
  std::deque<std::vector<uint8_t>> to_server_;
  std::deque<std::vector<uint8_t>> to_client_;
  std::vector<DtlsEvent> client_events_;
  std::vector<DtlsEvent> server_events_;
  Instant now_ = Instant::FromNanos(1'000'000'000);
};

// Rewrites every record of a datagram through `fn(type, epoch, record bytes)`; used to change
// record versions or reorder records inside one datagram.
std::vector<std::vector<uint8_t>> SplitRecords(const std::vector<uint8_t>& datagram);

}  // namespace sfu::dtls::testing
