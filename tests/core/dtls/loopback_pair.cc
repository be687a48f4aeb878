#include "tests/core/dtls/loopback_pair.h"

#include <algorithm>

#include "core/common/byte_reader.h"

namespace sfu::dtls::testing {

LoopbackPair::LoopbackPair(const DtlsConfig& client_config, const DtlsConfig& server_config,
                           std::shared_ptr<const crypto::Certificate> client_cert,
                           std::shared_ptr<const crypto::Certificate> server_cert, uint64_t seed,
                           LinkFaults faults)
    : random_(seed),
      link_random_(seed * 7919 + 1),
      faults_(faults),
      client_address_{IpAddress::V4({127, 0, 0, 1}), 40000},
      context_(server_config, server_cert, random_) {
  DtlsConfig cc = client_config;
  cc.role = Role::kClient;
  client_ = *DtlsEndpoint::CreateClient(cc, client_cert, random_);
  client_->Start(now_);
}

const DtlsEvent* LoopbackPair::ClientConnected() const {
  for (const auto& e : client_events_) {
    if (e.kind == DtlsEvent::Kind::kConnected) return &e;
  }
  return nullptr;
}

const DtlsEvent* LoopbackPair::ServerConnected() const {
  for (const auto& e : server_events_) {
    if (e.kind == DtlsEvent::Kind::kConnected) return &e;
  }
  return nullptr;
}

void LoopbackPair::Enqueue(std::vector<std::vector<uint8_t>> burst,
                           std::deque<std::vector<uint8_t>>& queue, const Hook& hook) {
  if (faults_.reverse_bursts) std::reverse(burst.begin(), burst.end());
  for (auto& d : burst) {
    if (hook && !hook(d)) continue;
    if (static_cast<int>(link_random_.Next() % 100) < faults_.loss_percent) continue;
    queue.push_back(d);
    if (static_cast<int>(link_random_.Next() % 100) < faults_.duplicate_percent) {
      queue.push_back(d);
    }
    if (queue.size() >= 2 &&
        static_cast<int>(link_random_.Next() % 100) < faults_.reorder_percent) {
      std::swap(queue[queue.size() - 1], queue[queue.size() - 2]);
    }
  }
}

void LoopbackPair::Drain(DtlsEndpoint& endpoint, std::deque<std::vector<uint8_t>>& queue,
                         const Hook& hook) {
  std::vector<std::vector<uint8_t>> burst;
  while (auto d = endpoint.PollTransmit()) burst.emplace_back(d->begin(), d->end());
  Enqueue(std::move(burst), queue, hook);
}

void LoopbackPair::PollEvents() {
  while (auto e = client_->PollEvent()) client_events_.push_back(std::move(*e));
  if (server_) {
    while (auto e = server_->PollEvent()) server_events_.push_back(std::move(*e));
  }
}

bool LoopbackPair::DeliverOne() {
  if (!to_server_.empty()) {
    std::vector<uint8_t> d = std::move(to_server_.front());
    to_server_.pop_front();
    if (server_) {
      server_->HandleDatagram(now_, d);
    } else {
      auto result = context_.HandleInitialDatagram(now_, client_address_, d, std::nullopt);
      if (result.kind == DtlsServerContext::Result::Kind::kSendHelloVerifyRequest) {
        ++hello_verify_requests;
        Enqueue({std::vector<uint8_t>(result.datagram.begin(), result.datagram.end())}, to_client_,
                to_client_hook);
      } else if (result.kind == DtlsServerContext::Result::Kind::kNewEndpoint) {
        server_ = std::move(result.endpoint);
      }
    }
    if (server_) Drain(*server_, to_client_, to_client_hook);
    return true;
  }
  if (!to_client_.empty()) {
    std::vector<uint8_t> d = std::move(to_client_.front());
    to_client_.pop_front();
    client_->HandleDatagram(now_, d);
    Drain(*client_, to_server_, to_server_hook);
    return true;
  }
  return false;
}

bool LoopbackPair::Done() const {
  auto terminal = [](const std::vector<DtlsEvent>& events) {
    return std::any_of(events.begin(), events.end(),
                       [](const DtlsEvent& e) { return e.kind != DtlsEvent::Kind::kConnected; });
  };
  return (ClientConnected() && ServerConnected()) || terminal(client_events_) ||
         terminal(server_events_);
}

bool LoopbackPair::Run(int max_steps) {
  Drain(*client_, to_server_, to_server_hook);
  for (int step = 0; step < max_steps; ++step) {
    PollEvents();
    if (Done() && to_client_.empty() && to_server_.empty()) break;
    if (DeliverOne()) continue;
    // Idle: jump to the earliest deadline.
    std::optional<Instant> next = client_->NextTimeout();
    if (server_) {
      auto s = server_->NextTimeout();
      if (s && (!next || *s < *next)) next = s;
    }
    if (!next) break;
    now_ = std::max(now_, *next);
    client_->HandleTimeout(now_);
    Drain(*client_, to_server_, to_server_hook);
    if (server_) {
      server_->HandleTimeout(now_);
      Drain(*server_, to_client_, to_client_hook);
    }
  }
  PollEvents();
  return ClientConnected() != nullptr && ServerConnected() != nullptr;
}

std::vector<std::vector<uint8_t>> SplitRecords(const std::vector<uint8_t>& datagram) {
  std::vector<std::vector<uint8_t>> records;
  ByteReader r(datagram);
  while (!r.empty()) {
    const size_t start = r.position();
    Record record;
    if (ParseRecord(r, &record) != RecordParse::kOk) break;
    records.emplace_back(datagram.begin() + static_cast<ptrdiff_t>(start),
                         datagram.begin() + static_cast<ptrdiff_t>(r.position()));
  }
  return records;
}

}  // namespace sfu::dtls::testing
