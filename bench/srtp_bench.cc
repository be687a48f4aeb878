// SRTP throughput on one core: 1200-byte RTP packets protected and unprotected by sfud's
// SrtpSession (single-packet and batch calls) for every profile, next to Debian's libsrtp2 (NSS
// backend) and a bare OpenSSL EVP AES-GCM loop (context keyed once; per packet: set IV, 12 bytes
// of AAD, 1188 bytes of data, tag) — the limit for sfud's current GCM backend. All in one run;
// the ratios are printed at the end because these machines are noisy.
//
// Every benchmark works through the same ring of kRing packet buffers and times only the crypto
// calls (manual timing); preparing the next ring (fresh sequence numbers, and for unprotect,
// protecting them first) happens off the clock, so replay protection never sees a repeat.
//
//   srtp_bench --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
#include <openssl/evp.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "core/srtp/srtp_keying.h"
#include "core/srtp/srtp_session.h"

namespace sfu::bench {
namespace {

using srtp::SrtpProfile;
using srtp::SrtpResult;

constexpr size_t kRing = 16;
constexpr size_t kPacketSize = 1200;  // RTP header (12) + payload (1188)
constexpr size_t kHeaderSize = 12;
constexpr size_t kSlot = 1280;
constexpr uint32_t kSsrc = 0x11223344;

struct alignas(64) Ring {
  std::array<std::array<uint8_t, kSlot>, kRing> buf{};
  std::array<size_t, kRing> len{};
  uint16_t next_seq = 1;

  Ring() {
    for (auto& b : buf) {
      for (size_t i = 0; i < kSlot; ++i) b[i] = static_cast<uint8_t>(i * 13);
    }
  }
  // Plain RTP headers with the next sequence numbers (the payload bytes are whatever is there:
  // encrypting ciphertext costs the same as plaintext).
  void NextHeaders() {
    for (size_t i = 0; i < kRing; ++i) {
      uint8_t* p = buf[i].data();
      const uint16_t seq = next_seq++;
      const uint8_t h[kHeaderSize] = {0x80,
                                      96,
                                      static_cast<uint8_t>(seq >> 8),
                                      static_cast<uint8_t>(seq),
                                      0,
                                      0,
                                      0x10,
                                      0,
                                      kSsrc >> 24,
                                      (kSsrc >> 16) & 0xff,
                                      (kSsrc >> 8) & 0xff,
                                      kSsrc & 0xff};
      std::memcpy(p, h, sizeof(h));
      len[i] = kPacketSize;
    }
  }
};

// Times `work` over each ring pass with a steady clock; `prep` runs off the clock. The pkts/s
// counter comes from the 5th-percentile pass, not the mean: on this shared 2-vCPU machine (other
// builds running) a pass the scheduler preempted, or that shared its core with a busy sibling,
// only ever takes longer, and a mean or even a median over such a run measures the neighbours.
// Each pass is ~16 packets (a few microseconds), so tens of thousands of passes are sampled and
// the fast tail is the code's own speed. Every benchmark is measured the same way.
template <typename Prep, typename Work>
void RunRing(benchmark::State& state, Prep prep, Work work, size_t packets_per_pass = kRing) {
  std::vector<double> pass_seconds;
  pass_seconds.reserve(1 << 16);
  for (auto _ : state) {
    prep();
    const auto t0 = std::chrono::steady_clock::now();
    work();
    const auto t1 = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    state.SetIterationTime(seconds);
    if (pass_seconds.size() < pass_seconds.capacity()) pass_seconds.push_back(seconds);
  }
  if (pass_seconds.empty()) return;
  const size_t p5 = pass_seconds.size() / 20;
  std::nth_element(pass_seconds.begin(), pass_seconds.begin() + p5, pass_seconds.end());
  state.counters["pkts/s"] = static_cast<double>(packets_per_pass) / pass_seconds[p5];
}

std::vector<uint8_t> Material(SrtpProfile profile) {
  std::vector<uint8_t> m(srtp::KeyingMaterialSize(profile));
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(i * 5 + 1);
  return m;
}

// --- sfud -------------------------------------------------------------------------------------

struct SfudPair {
  srtp::SrtpSession tx;
  srtp::SrtpSession rx;
};
SfudPair MakeSfud(SrtpProfile profile) {
  // A client's outbound and a server's inbound share the client write keys.
  auto client = srtp::CreateSrtpSessions(profile, Material(profile), srtp::SrtpRole::kClient);
  auto server = srtp::CreateSrtpSessions(profile, Material(profile), srtp::SrtpRole::kServer);
  if (!client.ok() || !server.ok()) std::abort();
  return SfudPair{std::move(client->outbound), std::move(server->inbound)};
}

void ProtectAll(srtp::SrtpSession& s, Ring& ring) {
  for (size_t i = 0; i < kRing; ++i) {
    size_t out = 0;
    if (s.ProtectRtp(absl::MakeSpan(ring.buf[i]), ring.len[i], &out) != SrtpResult::kOk) {
      std::abort();
    }
    ring.len[i] = out;
  }
}

void BM_SfudProtect(benchmark::State& state, SrtpProfile profile) {
  SfudPair s = MakeSfud(profile);
  Ring ring;
  RunRing(
      state, [&] { ring.NextHeaders(); }, [&] { ProtectAll(s.tx, ring); });
}

void BM_SfudUnprotect(benchmark::State& state, SrtpProfile profile) {
  SfudPair s = MakeSfud(profile);
  Ring ring;
  RunRing(
      state,
      [&] {
        ring.NextHeaders();
        ProtectAll(s.tx, ring);
      },
      [&] {
        for (size_t i = 0; i < kRing; ++i) {
          size_t out = 0;
          if (s.rx.UnprotectRtp(absl::MakeSpan(ring.buf[i]), ring.len[i], &out) !=
              SrtpResult::kOk) {
            std::abort();
          }
        }
      });
}

std::array<srtp::SrtpPacket, kRing> Batch(Ring& ring) {
  std::array<srtp::SrtpPacket, kRing> b;
  for (size_t i = 0; i < kRing; ++i) b[i] = {ring.buf[i].data(), ring.len[i], kSlot};
  return b;
}

void BM_SfudProtectBatch(benchmark::State& state, SrtpProfile profile) {
  SfudPair s = MakeSfud(profile);
  Ring ring;
  std::array<srtp::SrtpPacket, kRing> batch;
  RunRing(
      state,
      [&] {
        ring.NextHeaders();
        batch = Batch(ring);
      },
      [&] {
        if (s.tx.ProtectRtpBatch(absl::MakeSpan(batch)) != kRing) std::abort();
      });
}

void BM_SfudUnprotectBatch(benchmark::State& state, SrtpProfile profile) {
  SfudPair s = MakeSfud(profile);
  Ring ring;
  std::array<srtp::SrtpPacket, kRing> batch;
  RunRing(
      state,
      [&] {
        ring.NextHeaders();
        ProtectAll(s.tx, ring);
        batch = Batch(ring);
      },
      [&] {
        if (s.rx.UnprotectRtpBatch(absl::MakeSpan(batch)) != kRing) std::abort();
      });
}

// --- fan-out: one packet, N subscribers ------------------------------------------------------

// The SFU's forwarding shape: one 1200-byte plaintext protected for N subscribers, each with its
// own outbound session (own keys). "evp" is N single ProtectRtp calls on sessions pinned to
// OpenSSL EVP; "vec" is one SrtpSession::ProtectRtpFanout call on kAuto sessions (the VAES
// kernels where the CPU has them). Copying the plaintext into the N send buffers is off the
// clock for both.
constexpr size_t kMaxFanout = 32;

struct Fanout {
  std::vector<srtp::SrtpSession> sessions;
  std::array<std::array<uint8_t, kSlot>, kMaxFanout> buf{};
  std::array<srtp::SrtpFanoutPacket, kMaxFanout> burst{};
  std::array<uint8_t, kPacketSize> plain{};
  uint16_t next_seq = 1;

  Fanout(SrtpProfile profile, size_t n, crypto::GcmImpl impl) {
    srtp::SrtpConfig config;
    config.gcm_impl = impl;
    for (size_t i = 0; i < n; ++i) {
      std::vector<uint8_t> m = Material(profile);
      m[0] = static_cast<uint8_t>(i);  // every subscriber its own keys
      auto pair = srtp::CreateSrtpSessions(profile, m, srtp::SrtpRole::kServer, config);
      if (!pair.ok()) std::abort();
      sessions.push_back(std::move(pair->outbound));
    }
    for (size_t i = 0; i < kPacketSize; ++i) plain[i] = static_cast<uint8_t>(i * 13);
    const uint8_t h[kHeaderSize] = {0x80,
                                    96,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0x10,
                                    0,
                                    kSsrc >> 24,
                                    (kSsrc >> 16) & 0xff,
                                    (kSsrc >> 8) & 0xff,
                                    kSsrc & 0xff};
    std::memcpy(plain.data(), h, sizeof(h));
  }
  // The next packet, copied into every subscriber's buffer.
  void Next() {
    const uint16_t seq = next_seq++;
    plain[2] = static_cast<uint8_t>(seq >> 8);
    plain[3] = static_cast<uint8_t>(seq);
    for (size_t i = 0; i < sessions.size(); ++i) {
      std::memcpy(buf[i].data(), plain.data(), kPacketSize);
      burst[i] = {&sessions[i], buf[i].data(), kPacketSize, kSlot};
    }
  }
};

void BM_FanoutEvp(benchmark::State& state, SrtpProfile profile) {
  const size_t n = static_cast<size_t>(state.range(0));
  Fanout f(profile, n, crypto::GcmImpl::kEvp);
  RunRing(
      state, [&] { f.Next(); },
      [&] {
        for (size_t i = 0; i < n; ++i) {
          size_t out = 0;
          if (f.sessions[i].ProtectRtp(absl::MakeSpan(f.buf[i]), kPacketSize, &out) !=
              SrtpResult::kOk) {
            std::abort();
          }
        }
      },
      n);
}

void BM_FanoutVec(benchmark::State& state, SrtpProfile profile) {
  const size_t n = static_cast<size_t>(state.range(0));
  Fanout f(profile, n, crypto::GcmImpl::kAuto);
  state.SetLabel(f.sessions[0].gcm_implementation());
  RunRing(
      state, [&] { f.Next(); },
      [&] {
        if (srtp::SrtpSession::ProtectRtpFanout(absl::MakeSpan(f.burst.data(), n)) != n) {
          std::abort();
        }
      },
      n);
}

// --- libsrtp2 ---------------------------------------------------------------------------------

struct Libsrtp {
  srtp_t tx = nullptr;
  srtp_t rx = nullptr;
  std::vector<uint8_t> key_salt;

  explicit Libsrtp(SrtpProfile profile) {
    static const bool init = srtp_init() == srtp_err_status_ok;
    if (!init) std::abort();
    const std::vector<uint8_t> m = Material(profile);
    auto keys = srtp::SplitKeyingMaterial(profile, m, srtp::SrtpRole::kClient);
    if (!keys.ok()) std::abort();
    key_salt.assign(keys->local.key.begin(), keys->local.key.end());
    key_salt.insert(key_salt.end(), keys->local.salt.begin(), keys->local.salt.end());
    tx = Make(profile, false);
    rx = Make(profile, true);
  }
  ~Libsrtp() {
    srtp_dealloc(tx);
    srtp_dealloc(rx);
  }
  srtp_t Make(SrtpProfile profile, bool inbound) {
    srtp_policy_t policy{};
    switch (profile) {
      case SrtpProfile::kAes128CmHmacSha1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
      case SrtpProfile::kAeadAes128Gcm:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
      case SrtpProfile::kAeadAes256Gcm:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
        break;
    }
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = key_salt.data();
    policy.window_size = 1024;
    srtp_t s = nullptr;
    if (srtp_create(&s, &policy) != srtp_err_status_ok) std::abort();
    return s;
  }
};

void LibProtectAll(srtp_t s, Ring& ring) {
  for (size_t i = 0; i < kRing; ++i) {
    int len = static_cast<int>(ring.len[i]);
    if (srtp_protect(s, ring.buf[i].data(), &len) != srtp_err_status_ok) std::abort();
    ring.len[i] = static_cast<size_t>(len);
  }
}

void BM_LibsrtpProtect(benchmark::State& state, SrtpProfile profile) {
  Libsrtp lib(profile);
  Ring ring;
  RunRing(
      state, [&] { ring.NextHeaders(); }, [&] { LibProtectAll(lib.tx, ring); });
}

void BM_LibsrtpUnprotect(benchmark::State& state, SrtpProfile profile) {
  Libsrtp lib(profile);
  Ring ring;
  RunRing(
      state,
      [&] {
        ring.NextHeaders();
        LibProtectAll(lib.tx, ring);
      },
      [&] {
        for (size_t i = 0; i < kRing; ++i) {
          int len = static_cast<int>(ring.len[i]);
          if (srtp_unprotect(lib.rx, ring.buf[i].data(), &len) != srtp_err_status_ok) {
            std::abort();
          }
        }
      });
}

// --- bare OpenSSL EVP AES-GCM -------------------------------------------------------------------

struct Evp {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  explicit Evp(const char* cipher_name) {
    EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, cipher_name, nullptr);
    uint8_t key[32];
    for (int i = 0; i < 32; ++i) key[i] = static_cast<uint8_t>(i);
    if (cipher == nullptr || EVP_EncryptInit_ex(ctx, cipher, nullptr, key, nullptr) != 1) {
      std::abort();
    }
    EVP_CIPHER_free(cipher);
  }
  ~Evp() { EVP_CIPHER_CTX_free(ctx); }
};

// The limit: per packet, exactly the EVP calls a GCM SRTP protect needs.
void EvpSealAll(Evp& evp, Ring& ring, std::array<uint8_t, 12>& iv) {
  for (size_t i = 0; i < kRing; ++i) {
    uint8_t* p = ring.buf[i].data();
    iv[11] = static_cast<uint8_t>(i);
    int len = 0;
    if (EVP_EncryptInit_ex(evp.ctx, nullptr, nullptr, nullptr, iv.data()) != 1 ||
        EVP_EncryptUpdate(evp.ctx, nullptr, &len, p, kHeaderSize) != 1 ||
        EVP_EncryptUpdate(evp.ctx, p + kHeaderSize, &len, p + kHeaderSize,
                          kPacketSize - kHeaderSize) != 1 ||
        EVP_EncryptFinal_ex(evp.ctx, p + kPacketSize, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(evp.ctx, EVP_CTRL_AEAD_GET_TAG, 16, p + kPacketSize) != 1) {
      std::abort();
    }
  }
}

void BM_EvpSeal(benchmark::State& state, const char* cipher) {
  Evp evp(cipher);
  Ring ring;
  std::array<uint8_t, 12> iv{};
  RunRing(
      state, [&] { ring.NextHeaders(); }, [&] { EvpSealAll(evp, ring, iv); });
}

void BM_EvpOpen(benchmark::State& state, const char* cipher) {
  Evp evp(cipher);
  Ring ring;
  std::array<uint8_t, 12> iv{};
  RunRing(
      state,
      [&] {
        ring.NextHeaders();
        EvpSealAll(evp, ring, iv);
      },
      [&] {
        for (size_t i = 0; i < kRing; ++i) {
          uint8_t* p = ring.buf[i].data();
          iv[11] = static_cast<uint8_t>(i);
          int len = 0;
          if (EVP_DecryptInit_ex(evp.ctx, nullptr, nullptr, nullptr, iv.data()) != 1 ||
              EVP_DecryptUpdate(evp.ctx, nullptr, &len, p, kHeaderSize) != 1 ||
              EVP_DecryptUpdate(evp.ctx, p + kHeaderSize, &len, p + kHeaderSize,
                                kPacketSize - kHeaderSize) != 1 ||
              EVP_CIPHER_CTX_ctrl(evp.ctx, EVP_CTRL_AEAD_SET_TAG, 16, p + kPacketSize) != 1 ||
              EVP_DecryptFinal_ex(evp.ctx, p + kPacketSize, &len) != 1) {
            std::abort();
          }
        }
        // Leave the context ready to encrypt for the next prep.
        if (EVP_EncryptInit_ex(evp.ctx, nullptr, nullptr, nullptr, nullptr) != 1) std::abort();
      });
}

struct ProfileName {
  SrtpProfile profile;
  const char* name;
};
constexpr ProfileName kProfiles[] = {{SrtpProfile::kAeadAes128Gcm, "gcm128"},
                                     {SrtpProfile::kAeadAes256Gcm, "gcm256"},
                                     {SrtpProfile::kAes128CmHmacSha1_80, "cm128_sha1_80"}};

void RegisterAll() {
  for (const ProfileName& p : kProfiles) {
    const std::string n = p.name;
    benchmark::RegisterBenchmark(("protect/sfud/" + n).c_str(), BM_SfudProtect, p.profile)
        ->UseManualTime();
    benchmark::RegisterBenchmark(("protect/sfud_batch/" + n).c_str(), BM_SfudProtectBatch,
                                 p.profile)
        ->UseManualTime();
    benchmark::RegisterBenchmark(("protect/libsrtp2/" + n).c_str(), BM_LibsrtpProtect, p.profile)
        ->UseManualTime();
    benchmark::RegisterBenchmark(("unprotect/sfud/" + n).c_str(), BM_SfudUnprotect, p.profile)
        ->UseManualTime();
    benchmark::RegisterBenchmark(("unprotect/sfud_batch/" + n).c_str(), BM_SfudUnprotectBatch,
                                 p.profile)
        ->UseManualTime();
    benchmark::RegisterBenchmark(("unprotect/libsrtp2/" + n).c_str(), BM_LibsrtpUnprotect,
                                 p.profile)
        ->UseManualTime();
  }
  for (const ProfileName& p : kProfiles) {
    if (!srtp::ProfileParams(p.profile).aead) continue;
    const std::string n = p.name;
    benchmark::RegisterBenchmark(("fanout/evp/" + n).c_str(), BM_FanoutEvp, p.profile)
        ->Arg(1)
        ->Arg(8)
        ->Arg(32)
        ->UseManualTime();
    benchmark::RegisterBenchmark(("fanout/vec/" + n).c_str(), BM_FanoutVec, p.profile)
        ->Arg(1)
        ->Arg(8)
        ->Arg(32)
        ->UseManualTime();
  }
  benchmark::RegisterBenchmark("protect/bare_evp/gcm128", BM_EvpSeal, "AES-128-GCM")
      ->UseManualTime();
  benchmark::RegisterBenchmark("protect/bare_evp/gcm256", BM_EvpSeal, "AES-256-GCM")
      ->UseManualTime();
  benchmark::RegisterBenchmark("unprotect/bare_evp/gcm128", BM_EvpOpen, "AES-128-GCM")
      ->UseManualTime();
  benchmark::RegisterBenchmark("unprotect/bare_evp/gcm256", BM_EvpOpen, "AES-256-GCM")
      ->UseManualTime();
}

// Console output plus the pkts/s of each benchmark, the best over repetitions: noise on a shared
// machine only ever slows a run down, so the fastest repetition is the closest to the code's speed.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      auto it = run.counters.find("pkts/s");
      if (it == run.counters.end()) continue;
      std::string name = run.run_name.function_name;
      if (!run.run_name.args.empty()) name += "/" + run.run_name.args;
      double& best = best_[name];
      best = std::max(best, it->second.value);
    }
    ConsoleReporter::ReportRuns(runs);
  }

  double Value(const std::string& name) const {
    auto it = best_.find(name);
    return it == best_.end() ? 0 : it->second;
  }
  void PrintRatio(const std::string& a, const std::string& b, const char* target) const {
    const double va = Value(a);
    const double vb = Value(b);
    if (va == 0 || vb == 0) return;
    std::printf("%-28s / %-28s = %6.3f   (%s)\n", a.c_str(), b.c_str(), va / vb, target);
  }
  void PrintRates() const {
    for (const auto& [name, unused] : best_) {
      std::printf("  %-30s %8.3f M pkts/s  (%6.0f ns/pkt)\n", name.c_str(), Value(name) / 1e6,
                  1e9 / Value(name));
    }
  }

 private:
  std::map<std::string, double> best_;
};

}  // namespace
}  // namespace sfu::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  sfu::bench::RegisterAll();
  sfu::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nSRTP, 1200-byte RTP, one core (5th-percentile pass, best repetition):\n");
  reporter.PrintRates();
  std::printf("\nratios (pkts/s):\n");
  for (const char* op : {"protect", "unprotect"}) {
    const std::string o = op;
    reporter.PrintRatio(o + "/sfud/gcm128", o + "/libsrtp2/gcm128", "target >= 2");
    reporter.PrintRatio(o + "/sfud/gcm128", o + "/bare_evp/gcm128", "target >= 0.9");
    reporter.PrintRatio(o + "/sfud_batch/gcm128", o + "/bare_evp/gcm128", "target >= 0.9");
    reporter.PrintRatio(o + "/sfud/gcm256", o + "/libsrtp2/gcm256", "target >= 2");
    reporter.PrintRatio(o + "/sfud/gcm256", o + "/bare_evp/gcm256", "target >= 0.9");
    reporter.PrintRatio(o + "/sfud/cm128_sha1_80", o + "/libsrtp2/cm128_sha1_80", "target >= 2");
    reporter.PrintRatio(o + "/sfud_batch/cm128_sha1_80", o + "/libsrtp2/cm128_sha1_80",
                        "target >= 2");
  }
  std::printf("\nfan-out, one 1200-byte packet to N subscribers, vec (%s) vs evp:\n",
              sfu::srtp::SrtpGcmImplementation());
  for (const char* g : {"gcm128", "gcm256"}) {
    for (const char* n : {"1", "8", "32"}) {
      const std::string suffix = std::string(g) + "/" + n;
      reporter.PrintRatio("fanout/vec/" + suffix, "fanout/evp/" + suffix,
                          std::string(n) == "1" ? "target >= 1" : "target >= 2");
    }
  }
  benchmark::Shutdown();
  return 0;
}
