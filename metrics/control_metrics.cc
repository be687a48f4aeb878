#include "metrics/control_metrics.h"

namespace sfu::metrics {

void ControlMetrics::SetSessions(std::vector<SessionCount> counts) {
  std::lock_guard lock(mutex_);
  // Keep every (role, state) ever reported, zeroed, so its series does not vanish between scrapes.
  for (SessionCount& old : sessions_) old.count = 0;
  for (SessionCount& c : counts) {
    bool found = false;
    for (SessionCount& old : sessions_) {
      if (old.role == c.role && old.state == c.state) {
        old.count += c.count;
        found = true;
        break;
      }
    }
    if (!found) sessions_.push_back(std::move(c));
  }
}

void ControlMetrics::SetRooms(int64_t rooms) {
  std::lock_guard lock(mutex_);
  rooms_ = rooms;
}

void ControlMetrics::CountHttpRequest(std::string_view route, int status) {
  std::lock_guard lock(mutex_);
  std::pair<std::string, int> key(route, status);
  auto it = http_.find(key);
  if (it == http_.end()) {
    if (http_.size() >= kMaxHttpSeries) key.first = "other";
    it = http_.try_emplace(std::move(key), 0).first;
  }
  ++it->second;
}

std::vector<ControlMetrics::SessionCount> ControlMetrics::sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_;
}

int64_t ControlMetrics::rooms() const {
  std::lock_guard lock(mutex_);
  return rooms_;
}

std::vector<std::pair<std::pair<std::string, int>, uint64_t>> ControlMetrics::http_requests()
    const {
  std::lock_guard lock(mutex_);
  return {http_.begin(), http_.end()};
}

}  // namespace sfu::metrics
