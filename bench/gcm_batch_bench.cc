// AES-128-GCM / AES-256-GCM over bursts of SRTP-sized packets (12-byte RTP header as AAD, 1200-byte
// payload, 16-byte tag), each packet under its own key as when an SFU re-encrypts one packet for
// many subscribers. Compares in one run:
//   raw_evp   OpenSSL EVP called directly, one EVP_CIPHER_CTX per key keyed once (the baseline)
//   evp       GcmBatch's fallback (the same EVP calls behind the batch API)
//   vaes256   GcmBatch's 256-bit VAES + VPCLMULQDQ kernel
//   vaes512   GcmBatch's 512-bit kernel
// and prints packets/s ratios against raw_evp at the end. Open iterations first copy the pristine
// ciphertext back into each packet (an in-place open consumes it); the copy is the same for every
// implementation, so it only narrows the ratios.
//
//   gcm_batch_bench [--benchmark_filter=Seal/aes128] [--benchmark_min_time=0.2]
#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "crypto/vaes/gcm_batch.h"
#include "crypto/vaes/gcm_key.h"

namespace sfu::crypto {
namespace {

constexpr size_t kHeader = 12;
constexpr size_t kPayload = 1200;
constexpr size_t kTag = 16;

enum class Path { kRawEvp, kEvp, kVaes256, kVaes512 };

const char* PathName(Path p) {
  switch (p) {
    case Path::kRawEvp:
      return "raw_evp";
    case Path::kEvp:
      return "evp";
    case Path::kVaes256:
      return "vaes256";
    case Path::kVaes512:
      return "vaes512";
  }
  return "?";
}

struct EvpFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// One subscriber's packets and key, in both the raw-EVP and the GcmKey form.
struct Burst {
  std::vector<GcmKey> keys;
  std::vector<std::unique_ptr<EVP_CIPHER_CTX, EvpFree>> ctxs;
  std::vector<std::vector<uint8_t>> packets;  // header | payload | tag
  std::vector<std::vector<uint8_t>> pristine;
  std::vector<std::array<uint8_t, 12>> ivs;
  std::vector<GcmPacket> batch;

  Burst(size_t n, size_t key_size) {
    for (size_t i = 0; i < n; ++i) {
      std::vector<uint8_t> key(key_size);
      for (size_t j = 0; j < key_size; ++j) key[j] = static_cast<uint8_t>(i * 31 + j * 7 + 1);
      keys.push_back(*GcmKey::Create(key));
      ctxs.emplace_back(EVP_CIPHER_CTX_new());
      EVP_EncryptInit_ex(ctxs.back().get(), key_size == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(),
                         nullptr, key.data(), nullptr);
      std::vector<uint8_t> p(kHeader + kPayload + kTag);
      for (size_t j = 0; j < p.size(); ++j) p[j] = static_cast<uint8_t>(j * 13 + i);
      packets.push_back(std::move(p));
      std::array<uint8_t, 12> iv{};
      for (size_t j = 0; j < 12; ++j) iv[j] = static_cast<uint8_t>(i + j * 3);
      ivs.push_back(iv);
    }
    for (size_t i = 0; i < n; ++i) {
      uint8_t* p = packets[i].data();
      batch.push_back({&keys[i], ivs[i].data(), absl::MakeConstSpan(p, kHeader),
                       absl::MakeSpan(p + kHeader, kPayload), p + kHeader + kPayload});
    }
  }

  bool RawSeal(size_t i) {
    EVP_CIPHER_CTX* c = ctxs[i].get();
    uint8_t* p = packets[i].data();
    int n = 0;
    return EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, ivs[i].data()) == 1 &&
           EVP_EncryptUpdate(c, nullptr, &n, p, kHeader) == 1 &&
           EVP_EncryptUpdate(c, p + kHeader, &n, p + kHeader, kPayload) == 1 &&
           EVP_EncryptFinal_ex(c, p + kHeader + kPayload, &n) == 1 &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kTag, p + kHeader + kPayload) == 1;
  }

  bool RawOpen(size_t i) {
    EVP_CIPHER_CTX* c = ctxs[i].get();
    uint8_t* p = packets[i].data();
    int n = 0;
    return EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, ivs[i].data()) == 1 &&
           EVP_DecryptUpdate(c, nullptr, &n, p, kHeader) == 1 &&
           EVP_DecryptUpdate(c, p + kHeader, &n, p + kHeader, kPayload) == 1 &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kTag, p + kHeader + kPayload) == 1 &&
           EVP_DecryptFinal_ex(c, p + kHeader + kPayload, &n) == 1;
  }

  void Restore() {
    for (size_t i = 0; i < packets.size(); ++i) {
      std::memcpy(packets[i].data(), pristine[i].data(), packets[i].size());
    }
  }
};

void BM_Gcm(benchmark::State& state, Path path, bool open, size_t key_size) {
  const size_t n = static_cast<size_t>(state.range(0));
  Burst burst(n, key_size);
  std::optional<GcmBatch> batch;
  if (path != Path::kRawEvp) {
    const GcmImpl impl = path == Path::kEvp       ? GcmImpl::kEvp
                         : path == Path::kVaes256 ? GcmImpl::kVaes256
                                                  : GcmImpl::kVaes512;
    absl::StatusOr<GcmBatch> b = GcmBatch::Create(impl);
    if (!b.ok()) {
      state.SkipWithError("implementation not supported on this CPU");
      return;
    }
    batch.emplace(*b);
  }
  for (size_t i = 0; i < n; ++i) burst.RawSeal(i);  // valid tags for the open runs
  burst.pristine = burst.packets;
  bool all_ok = true;
  for (auto _ : state) {
    if (open) burst.Restore();
    if (path == Path::kRawEvp) {
      for (size_t i = 0; i < n; ++i) all_ok &= open ? burst.RawOpen(i) : burst.RawSeal(i);
    } else if (open) {
      all_ok &= batch->Open(absl::MakeSpan(burst.batch)) == n;
    } else {
      batch->Seal(absl::MakeSpan(burst.batch));
    }
    benchmark::ClobberMemory();
  }
  if (!all_ok) state.SkipWithError("a packet failed");
  state.counters["pkt/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n * kPayload));
}

// Collects pkt/s per benchmark and prints each implementation's ratio to raw_evp at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      auto it = r.counters.find("pkt/s");
      if (!r.error_occurred && it != r.counters.end()) rates_[r.benchmark_name()] = it->second;
    }
  }
  void PrintRatios() const {
    std::printf("\npackets/s relative to raw_evp (same run, same burst):\n");
    for (const auto& [name, rate] : rates_) {
      const size_t slash = name.find('/');
      const size_t second = name.find('/', slash + 1);
      if (slash == std::string::npos || second == std::string::npos) continue;
      const std::string base =
          name.substr(0, slash) + "/raw_evp" + name.substr(second);  // Op/path/key/burst
      auto it = rates_.find(base);
      if (it == rates_.end() || base == name) continue;
      std::printf("  %-36s %8.2f Mpkt/s  %5.2fx\n", name.c_str(), rate / 1e6, rate / it->second);
    }
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace
}  // namespace sfu::crypto

int main(int argc, char** argv) {
  using namespace sfu::crypto;
  for (bool open : {false, true}) {
    for (size_t key_size : {16u, 32u}) {
      for (Path path : {Path::kRawEvp, Path::kEvp, Path::kVaes256, Path::kVaes512}) {
        const std::string name = std::string(open ? "Open/" : "Seal/") + PathName(path) +
                                 (key_size == 16 ? "/aes128" : "/aes256");
        benchmark::RegisterBenchmark(name.c_str(), BM_Gcm, path, open, key_size)
            ->ArgName("burst")
            ->Arg(1)
            ->Arg(8)
            ->Arg(32);
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
