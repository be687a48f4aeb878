#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sfu::metrics {

// What the control side reports: sessions by role and state, rooms, and HTTP requests by route
// and status. Written by the control thread and the HTTP worker threads, read by the collector on
// the exposer's thread; one mutex guards it. That is fine here: these change at signaling rate,
// and nothing on a shard's packet path touches this class.
//
// Label values are bounded by the caller (roles, states and route templates such as "/whip/{room}",
// never raw paths); as a backstop, at most kMaxHttpSeries (route, status) pairs are kept and any
// further pair is counted under route "other".
class ControlMetrics {
 public:
  static constexpr size_t kMaxHttpSeries = 256;

  struct SessionCount {
    std::string role;
    std::string state;
    int64_t count;
  };

  // Replaces the whole session table (the control plane recounts when it changes), so a
  // (role, state) that went to zero reports 0 rather than lingering at its last value.
  void SetSessions(std::vector<SessionCount> counts);
  void SetRooms(int64_t rooms);
  void CountHttpRequest(std::string_view route, int status);

  // Snapshots for the collector.
  std::vector<SessionCount> sessions() const;
  int64_t rooms() const;
  // ((route, status), count), ordered.
  std::vector<std::pair<std::pair<std::string, int>, uint64_t>> http_requests() const;

 private:
  mutable std::mutex mutex_;
  std::vector<SessionCount> sessions_;
  int64_t rooms_ = 0;
  std::map<std::pair<std::string, int>, uint64_t> http_;
};

}  // namespace sfu::metrics
