#include "bench/loadgen/runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/loadgen/signaling_sdp.h"
#include "bench/loadgen/whip_client.h"
#include "core/net/monotonic_clock.h"
#include "crypto/random.h"

namespace sfu::loadgen {
namespace {

// RFC 8839 §5.4 ice-char alphabet.
std::string RandomIceString(RandomSource& random, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out(n, 'a');
  std::vector<uint8_t> raw(n);
  random.Fill(absl::MakeSpan(raw));
  for (size_t i = 0; i < n; ++i) out[i] = kAlphabet[raw[i] & 63];
  return out;
}

uint32_t RandomNonZero(RandomSource& random) {
  uint32_t v = 0;
  while (v == 0) random.Fill(absl::MakeSpan(reinterpret_cast<uint8_t*>(&v), sizeof(v)));
  return v;
}

// utime + stime of a process in seconds (proc(5): fields 14 and 15, after the ")" of comm).
// With `tid`, the same for one of its threads (/proc/PID/task/TID/stat).
std::optional<double> ProcessCpuSeconds(int pid, const std::string& tid = "") {
  std::ifstream in(tid.empty() ? absl::StrCat("/proc/", pid, "/stat")
                               : absl::StrCat("/proc/", pid, "/task/", tid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(paren + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// utime + stime, in seconds, of the process's threads named sfud-shard-* (the data plane, one per
// core), summed: what the shards cost apart from the control thread's HTTP and SDP work.
std::optional<double> ShardThreadsCpuSeconds(int pid) {
  std::error_code error;
  const std::filesystem::path tasks = absl::StrCat("/proc/", pid, "/task");
  std::optional<double> total;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (!std::getline(comm, name) || name.rfind("sfud-shard-", 0) != 0) continue;
    const std::string tid = task.path().filename().string();
    if (std::optional<double> cpu = ProcessCpuSeconds(pid, tid)) total = total.value_or(0) + *cpu;
  }
  return total;
}

}  // namespace

Runner::Runner(Scenario scenario) : scenario_(std::move(scenario)) {}

Runner::~Runner() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_workers_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
}

std::string Runner::RoomName(uint32_t room) const {
  return absl::StrCat(scenario_.room_prefix, "-", room);
}

void Runner::RecordFailure(const PeerSpec& spec, uint32_t session, int64_t post_ns, int http_status,
                           int64_t signaling_ns, FailureReason reason, std::string detail) {
  PeerResult r;
  r.id = spec.id;
  r.room = spec.room;
  r.role = spec.role;
  r.session = session;
  r.post_started_ns = post_ns;
  r.http_status = http_status;
  r.signaling_ns = signaling_ns;
  r.failure = reason;
  r.failure_detail = std::move(detail);
  std::lock_guard<std::mutex> lock(mutex_);
  signaling_failures_.push_back(std::move(r));
}

void Runner::SignalingWorker(int index) {
  (void)index;
  crypto::SystemRandom random;
  WhipClient client(scenario_.url, scenario_.token, scenario_.http_timeout);
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      while (true) {
        if (stop_workers_) return;
        if (!jobs_.empty()) {
          const Instant now = net::MonotonicClock::Now();
          if (jobs_.front().not_before <= now) break;
          cv_.wait_for(lock, std::chrono::nanoseconds(jobs_.front().not_before - now));
          continue;
        }
        cv_.wait_for(lock, std::chrono::milliseconds(100));
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
      if (job.kind == Job::Kind::kJoin && !accept_joins_) continue;
      ++jobs_in_flight_;
    }
    switch (job.kind) {
      case Job::Kind::kJoin:
        Join(client, random, job.peer);
        break;
      case Job::Kind::kLeave:
        Leave(client, job.peer);
        break;
      case Job::Kind::kDelete: {
        HttpOutcome outcome = client.Delete(job.location);
        if (!outcome.ok) {
          std::lock_guard<std::mutex> lock(mutex_);
          ++deletes_failed_;
        }
        break;
      }
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --jobs_in_flight_;
    }
    cv_.notify_all();
  }
}

void Runner::Join(WhipClient& client, RandomSource& random, uint32_t peer_id) {
  const PeerSpec& spec = specs_[peer_id];
  uint32_t session = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    session = next_session_[peer_id]++;
    ++sessions_posted_;
  }
  const Instant post_started = net::MonotonicClock::Now();
  std::optional<IpAddress> ip = IpAddress::Parse(scenario_.local_ip);
  net::UdpSocketOptions socket_options;
  socket_options.receive_buffer_bytes = 1 << 20;
  socket_options.send_buffer_bytes = 1 << 20;
  socket_options.reuse_address = false;
  absl::StatusOr<net::UdpSocket> socket =
      net::UdpSocket::Bind(SocketAddress{*ip, 0}, socket_options);
  if (!socket.ok()) {
    RecordFailure(spec, session, post_started.nanos(), 0, 0, FailureReason::kSocket,
                  socket.status().ToString());
    return;
  }
  SimPeerConfig config;
  config.role = spec.role;
  config.local_ufrag = RandomIceString(random, 8);
  config.local_pwd = RandomIceString(random, 24);
  config.certificate = certificate_;
  config.audio = scenario_.audio;
  config.video_kbps = scenario_.video_kbps;
  config.video_fps = scenario_.video_fps;
  config.pacing_factor = scenario_.pacing_factor;
  config.audio_ssrc = RandomNonZero(random);
  config.video_ssrc = RandomNonZero(random);
  config.rtcp_ssrc = RandomNonZero(random);
  config.stream_id = peer_id * 2;
  config.connect_timeout = scenario_.connect_timeout;

  OfferSpec offer;
  offer.publisher = spec.role == PeerRole::kPublisher;
  offer.audio = offer.publisher ? scenario_.audio : true;
  offer.video = offer.publisher ? scenario_.video_kbps > 0 : true;
  offer.ice_ufrag = config.local_ufrag;
  offer.ice_pwd = config.local_pwd;
  offer.fingerprint = certificate_->SdpFingerprint();
  offer.candidate = socket->local_address();
  offer.audio_ssrc = config.audio_ssrc;
  offer.video_ssrc = config.video_ssrc;
  offer.stream_id = absl::StrCat("lg", peer_id);
  offer.cname = absl::StrCat("loadgen-", peer_id);
  offer.session_id = (uint64_t{RandomNonZero(random)} << 20) | peer_id;

  HttpOutcome outcome =
      client.PostOffer(offer.publisher ? "whip" : "whep", RoomName(spec.room), BuildOffer(offer));
  const int64_t signaling_ns = outcome.elapsed.count();
  if (!outcome.ok) {
    RecordFailure(spec, session, post_started.nanos(), outcome.status, signaling_ns,
                  FailureReason::kHttp, outcome.error);
    return;
  }
  absl::StatusOr<AnswerInfo> answer = ParseAnswer(outcome.answer);
  if (!answer.ok()) {
    RecordFailure(spec, session, post_started.nanos(), outcome.status, signaling_ns,
                  FailureReason::kSignaling, answer.status().ToString());
    Job del;
    del.kind = Job::Kind::kDelete;
    del.location = outcome.location;
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_front(std::move(del));
    return;
  }
  config.remote_ufrag = answer->ice_ufrag;
  config.remote_pwd = answer->ice_pwd;
  config.remote_fingerprint = answer->fingerprint;
  config.remote_audio_ssrc = answer->audio_ssrc;
  config.remote_video_ssrc = answer->video_ssrc;
  if (answer->audio_pt != 0) config.audio_pt = answer->audio_pt;
  if (answer->video_pt != 0) config.video_pt = answer->video_pt;

  PeerJob job;
  job.id = peer_id;
  job.room = spec.room;
  job.session = session;
  job.location = outcome.location;
  job.http_status = outcome.status;
  job.post_started = post_started;
  job.signaling_ns = signaling_ns;
  job.config = std::move(config);
  job.socket = *std::move(socket);
  job.server = answer->candidate;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    live_[peer_id] = LiveSession{outcome.location, session};
  }
  loops_[peer_id % loops_.size()]->AddPeer(std::move(job));
}

void Runner::Leave(WhipClient& client, uint32_t peer_id) {
  std::string location;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(peer_id);
    if (it == live_.end()) return;
    location = it->second.location;
    live_.erase(it);
  }
  loops_[peer_id % loops_.size()]->ClosePeer(peer_id);
  HttpOutcome outcome = client.Delete(location);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!outcome.ok) ++deletes_failed_;
  // Rejoin right away, as a user reloading the page does.
  if (accept_joins_) {
    Job job;
    job.kind = Job::Kind::kJoin;
    job.peer = peer_id;
    job.not_before = net::MonotonicClock::Now();
    jobs_.push_back(std::move(job));
  }
  cv_.notify_all();
}

void Runner::PrintProgress(Instant now, Instant started) {
  ThreadSnapshot total;
  for (const auto& loop : loops_) {
    ThreadSnapshot s = loop->Snapshot();
    total.publishers_connected += s.publishers_connected;
    total.subscribers_connected += s.subscribers_connected;
    total.peers_failed += s.peers_failed;
    total.rtp_in += s.rtp_in;
    total.rtp_out += s.rtp_out;
    total.media_expected += s.media_expected;
    total.media_received += s.media_received;
    total.latency.Merge(s.latency);
  }
  size_t signaling_failed = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    signaling_failed = signaling_failures_.size();
  }
  const double dt = last_progress_ == Instant() ? 1.0 : (now - last_progress_).count() / 1e9;
  const double pps_in = (total.rtp_in - std::min(total.rtp_in, last_rtp_in_)) / std::max(dt, 1e-3);
  const double pps_out =
      (total.rtp_out - std::min(total.rtp_out, last_rtp_out_)) / std::max(dt, 1e-3);
  last_rtp_in_ = total.rtp_in;
  last_rtp_out_ = total.rtp_out;
  last_progress_ = now;
  const double loss =
      total.media_expected == 0
          ? 0
          : 100.0 * (total.media_expected - std::min(total.media_expected, total.media_received)) /
                total.media_expected;
  std::fprintf(
      stderr,
      "[%5.1fs] connected %llu/%u (pub %llu sub %llu) failed %llu | out %.0f pps in "
      "%.0f pps | loss %.3f%% | latency p95 %.2f ms\n",
      (now - started).count() / 1e9,
      static_cast<unsigned long long>(total.publishers_connected + total.subscribers_connected),
      scenario_.total_peers(), static_cast<unsigned long long>(total.publishers_connected),
      static_cast<unsigned long long>(total.subscribers_connected),
      static_cast<unsigned long long>(total.peers_failed + signaling_failed), pps_out, pps_in, loss,
      total.latency.Percentile(0.95) / 1000.0);
}

absl::StatusOr<Report> Runner::Run() {
  absl::StatusOr<crypto::Certificate> cert =
      crypto::Certificate::GenerateSelfSigned("sfud-loadgen", std::chrono::hours(24));
  if (!cert.ok()) return cert.status();
  certificate_ = std::make_shared<const crypto::Certificate>(*std::move(cert));
  if (!IpAddress::Parse(scenario_.local_ip).has_value()) {
    return absl::InvalidArgumentError("--local-ip is not an IP address");
  }

  // Publishers of every room first, so subscribers find media; subscribers interleaved by room.
  for (uint32_t room = 0; room < scenario_.rooms; ++room) {
    for (uint32_t p = 0; p < scenario_.publishers; ++p) {
      specs_.push_back({static_cast<uint32_t>(specs_.size()), room, PeerRole::kPublisher});
    }
  }
  for (uint32_t s = 0; s < scenario_.subscribers; ++s) {
    for (uint32_t room = 0; room < scenario_.rooms; ++room) {
      specs_.push_back({static_cast<uint32_t>(specs_.size()), room, PeerRole::kSubscriber});
    }
  }
  const size_t per_thread = specs_.size() / scenario_.threads + 16;
  for (uint32_t t = 0; t < scenario_.threads; ++t) {
    loops_.push_back(
        std::make_unique<LoopThread>(per_thread, std::chrono::microseconds(scenario_.spin_us)));
    if (absl::Status st = loops_.back()->Start(); !st.ok()) return st;
  }

  const Instant started = net::MonotonicClock::Now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const PeerSpec& spec : specs_) {
      Job job;
      job.kind = Job::Kind::kJoin;
      job.peer = spec.id;
      job.not_before = scenario_.ramp > 0 ? started + std::chrono::nanoseconds(static_cast<int64_t>(
                                                          spec.id * 1e9 / scenario_.ramp))
                                          : started;
      jobs_.push_back(std::move(job));
    }
  }
  if (scenario_.join_storm) {
    for (auto& loop : loops_) loop->Hold();
  }
  for (uint32_t i = 0; i < scenario_.http_concurrency; ++i) {
    workers_.emplace_back([this, i] { SignalingWorker(static_cast<int>(i)); });
  }
  cv_.notify_all();

  double signaling_per_second = 0;
  Instant end = started + scenario_.duration;
  if (scenario_.join_storm) {
    // Phase 1: signal every peer (bounded: each request has its timeout, and the whole phase
    // gives up after kMaxSignalingPhase). Phase 2: release them all at once; the run's duration
    // counts from there.
    constexpr auto kMaxSignalingPhase = std::chrono::seconds(300);
    Instant next_progress = started + std::chrono::seconds(1);
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (cv_.wait_for(lock, std::chrono::milliseconds(50),
                         [this] { return jobs_.empty() && jobs_in_flight_ == 0; })) {
          break;
        }
      }
      const Instant now = net::MonotonicClock::Now();
      if (now - started > kMaxSignalingPhase) break;
      if (now >= next_progress && !scenario_.quiet) {
        std::lock_guard<std::mutex> lock(mutex_);
        std::fprintf(stderr, "[%5.1fs] join storm: %llu of %u sessions signaled\n",
                     (now - started).count() / 1e9,
                     static_cast<unsigned long long>(sessions_posted_), scenario_.total_peers());
        next_progress += std::chrono::seconds(1);
      }
    }
    const Instant released = net::MonotonicClock::Now();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      signaling_per_second = live_.size() / std::max((released - started).count() / 1e9, 1e-3);
    }
    if (!scenario_.quiet) {
      std::fprintf(stderr, "[%5.1fs] join storm: %.0f sessions/s signaled; releasing every peer\n",
                   (released - started).count() / 1e9, signaling_per_second);
    }
    for (auto& loop : loops_) loop->Release();
    end = released + scenario_.duration;
  }

  std::optional<double> cpu_start;
  std::optional<double> shard_cpu_start;
  if (scenario_.sfud_pid) {
    cpu_start = ProcessCpuSeconds(*scenario_.sfud_pid);
    shard_cpu_start = ShardThreadsCpuSeconds(*scenario_.sfud_pid);
  }
  const Instant media_start = net::MonotonicClock::Now();
  Instant latency_from = media_start;
  Instant next_progress = started + std::chrono::seconds(1);
  Instant next_churn =
      scenario_.churn > 0
          ? started + std::chrono::nanoseconds(static_cast<int64_t>(1e9 / scenario_.churn))
          : Instant::Infinite();
  uint64_t churn_counter = 0;
  std::optional<Instant> latency_reset_at;
  bool latency_reset = false;
  while (true) {
    const Instant now = net::MonotonicClock::Now();
    if (now >= end) break;
    if (!latency_reset) {
      if (!latency_reset_at.has_value()) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (jobs_.empty() && jobs_in_flight_ == 0) latency_reset_at = now + scenario_.warmup;
      } else if (now >= *latency_reset_at) {
        for (auto& loop : loops_) loop->ResetLatency();
        latency_reset = true;
        latency_from = now;
      }
    }
    if (now >= next_progress) {
      if (!scenario_.quiet) PrintProgress(now, started);
      next_progress += std::chrono::seconds(1);
    }
    if (now >= next_churn) {
      next_churn += std::chrono::nanoseconds(static_cast<int64_t>(1e9 / scenario_.churn));
      std::lock_guard<std::mutex> lock(mutex_);
      // Pick live subscribers in turn (deterministic, spreads over rooms).
      std::vector<uint32_t> candidates;
      for (const auto& [id, live] : live_) {
        if (specs_[id].role == PeerRole::kSubscriber) candidates.push_back(id);
      }
      if (!candidates.empty()) {
        Job job;
        job.kind = Job::Kind::kLeave;
        job.peer = candidates[churn_counter++ % candidates.size()];
        job.not_before = now;
        jobs_.push_back(std::move(job));
        cv_.notify_all();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  // End of the run: no new joins; let joins in flight finish (each bounded by the HTTP timeout).
  uint64_t not_started = 0;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    accept_joins_ = false;
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      if (it->kind == Job::Kind::kJoin || it->kind == Job::Kind::kLeave) {
        if (it->kind == Job::Kind::kJoin && next_session_[it->peer] == 0) ++not_started;
        it = jobs_.erase(it);
      } else {
        ++it;
      }
    }
    cv_.wait_for(lock, scenario_.http_timeout * 2 + std::chrono::seconds(1),
                 [this] { return jobs_in_flight_ == 0 && jobs_.empty(); });
  }
  const Instant media_end = net::MonotonicClock::Now();
  for (auto& loop : loops_) loop->StopMedia();
  std::optional<double> cpu_end;
  std::optional<double> shard_cpu_end;
  if (scenario_.sfud_pid) {
    cpu_end = ProcessCpuSeconds(*scenario_.sfud_pid);
    shard_cpu_end = ShardThreadsCpuSeconds(*scenario_.sfud_pid);
  }
  std::this_thread::sleep_for(scenario_.grace);
  if (!scenario_.quiet) PrintProgress(net::MonotonicClock::Now(), started);

  // DELETE every live session (RFC 9725 §4.2), in parallel on the signaling threads.
  {
    std::unique_lock<std::mutex> lock(mutex_);
    for (const auto& [id, live] : live_) {
      Job job;
      job.kind = Job::Kind::kDelete;
      job.location = live.location;
      jobs_.push_back(std::move(job));
    }
    live_.clear();
    cv_.notify_all();
    cv_.wait_for(lock, scenario_.http_timeout * 2 + std::chrono::seconds(1),
                 [this] { return jobs_in_flight_ == 0 && jobs_.empty(); });
    stop_workers_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  // sfud answers DELETE with close_notify; give it a moment to arrive, then close the rest.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  Report report;
  report.scenario = scenario_;
  std::vector<PeerResult> results;
  LatencyHistogram latency;
  for (auto& loop : loops_) {
    loop->Finish();
    loop->Join();
    std::vector<PeerResult> r = loop->TakeResults();
    std::move(r.begin(), r.end(), std::back_inserter(results));
    latency.Merge(loop->latency());
    report.tx_errors += loop->tx_errors();
    report.loop.Add(loop->loop_stats());
    report.outbox_overflows += loop->outbox_overflows();
  }
  std::move(signaling_failures_.begin(), signaling_failures_.end(), std::back_inserter(results));
  for (const PeerSpec& spec : specs_) {
    (spec.role == PeerRole::kPublisher ? report.planned_publishers : report.planned_subscribers)++;
  }
  report.not_started = not_started;
  report.deletes_failed = deletes_failed_;
  report.signaling_per_second = signaling_per_second;
  report.latency_seconds = (media_end - latency_from).count() / 1e9;
  report.run_seconds = (media_end - started).count() / 1e9;
  // Media flows from the first connected peer to StopMedia.
  int64_t first_connected = INT64_MAX;
  for (const PeerResult& r : results) {
    if (r.connect_ns)
      first_connected = std::min(first_connected, r.post_started_ns + *r.connect_ns);
  }
  report.media_seconds =
      first_connected == INT64_MAX ? 0 : (media_end.nanos() - first_connected) / 1e9;
  if (cpu_start && cpu_end) {
    report.sfud_cpu_seconds = *cpu_end - *cpu_start;
    report.sfud_cpu_percent =
        100.0 * *report.sfud_cpu_seconds / std::max((media_end - media_start).count() / 1e9, 1e-3);
  }
  if (shard_cpu_start && shard_cpu_end) {
    report.sfud_shard_cpu_seconds = *shard_cpu_end - *shard_cpu_start;
  }
  Summarize(results, latency, report);
  CheckSlos(report);
  return report;
}

}  // namespace sfu::loadgen
