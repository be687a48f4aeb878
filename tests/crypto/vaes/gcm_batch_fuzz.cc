// Differential fuzzer: every GcmBatch implementation this CPU supports (the VAES kernels and the
// EVP fallback) must produce identical ciphertexts and tags for fuzzer-chosen keys, IVs, AAD and
// payloads, open each other's output, and refuse (restoring the ciphertext) a flipped tag bit.
//
// Input: up to 8 packets, each
//   u8 flags (bit 0: AES-256; bits 1-7: which tag bit to flip), key (16/32), iv (12),
//   u8 aad_len, aad, u16 data_len (clipped to what is left), data.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

#include "core/common/byte_reader.h"
#include "crypto/vaes/gcm_batch.h"
#include "crypto/vaes/gcm_key.h"

namespace {

using sfu::ByteReader;
using sfu::crypto::GcmBatch;
using sfu::crypto::GcmImpl;
using sfu::crypto::GcmKey;
using sfu::crypto::GcmPacket;

struct Input {
  std::optional<GcmKey> key;
  uint8_t flip = 0;
  std::vector<uint8_t> iv, aad, data;
};

void Check(bool cond) {
  if (!cond) std::abort();
}

bool ParsePacket(ByteReader& r, Input* in) {
  uint8_t flags = 0;
  absl::Span<const uint8_t> key, iv, aad;
  uint8_t aad_len = 0;
  uint16_t data_len = 0;
  if (!r.ReadU8(&flags) || !r.ReadSpan((flags & 1) ? 32 : 16, &key) || !r.ReadSpan(12, &iv) ||
      !r.ReadU8(&aad_len) || !r.ReadSpan(aad_len, &aad) || !r.ReadU16(&data_len)) {
    return false;
  }
  absl::Span<const uint8_t> data;
  if (!r.ReadSpan(std::min<size_t>(data_len, r.Remaining()), &data)) return false;
  absl::StatusOr<GcmKey> k = GcmKey::Create(key);
  if (!k.ok()) return false;
  in->key.emplace(std::move(*k));
  in->flip = flags >> 1;
  in->iv.assign(iv.begin(), iv.end());
  in->aad.assign(aad.begin(), aad.end());
  in->data.assign(data.begin(), data.end());
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  ByteReader r(absl::MakeConstSpan(bytes, size));
  std::vector<Input> inputs(8);
  size_t n = 0;
  while (n < inputs.size() && ParsePacket(r, &inputs[n])) ++n;
  if (n == 0) return 0;

  std::vector<GcmBatch> impls;
  for (GcmImpl impl : {GcmImpl::kEvp, GcmImpl::kVaes256, GcmImpl::kVaes512}) {
    if (GcmBatch::Supported(impl)) impls.push_back(*GcmBatch::Create(impl));
  }
  // sealed[i][k]: packet k's ciphertext then tag, as implementation i made it.
  std::vector<std::vector<std::vector<uint8_t>>> sealed(impls.size());
  for (size_t i = 0; i < impls.size(); ++i) {
    std::vector<std::vector<uint8_t>> bufs(n);
    std::vector<GcmPacket> packets(n);
    for (size_t k = 0; k < n; ++k) {
      bufs[k] = inputs[k].data;
      bufs[k].resize(bufs[k].size() + GcmBatch::kTagSize);
      const size_t len = inputs[k].data.size();
      packets[k] = {&*inputs[k].key, inputs[k].iv.data(), inputs[k].aad,
                    absl::MakeSpan(bufs[k].data(), len), bufs[k].data() + len};
    }
    impls[i].Seal(absl::MakeSpan(packets));
    for (const GcmPacket& p : packets) Check(p.ok);
    sealed[i] = std::move(bufs);
    Check(sealed[i] == sealed[0]);  // identical to the EVP reference
  }
  // Each implementation opens the reference output; then refuses it with one tag bit flipped.
  for (GcmBatch& impl : impls) {
    for (bool forge : {false, true}) {
      std::vector<std::vector<uint8_t>> bufs = sealed[0];
      std::vector<GcmPacket> packets(n);
      for (size_t k = 0; k < n; ++k) {
        const size_t len = inputs[k].data.size();
        uint8_t* tag = bufs[k].data() + len;
        if (forge)
          tag[(inputs[k].flip / 8) % 16] ^= static_cast<uint8_t>(1u << (inputs[k].flip % 8));
        packets[k] = {&*inputs[k].key, inputs[k].iv.data(), inputs[k].aad,
                      absl::MakeSpan(bufs[k].data(), len), tag};
      }
      Check(impl.Open(absl::MakeSpan(packets)) == (forge ? 0 : n));
      for (size_t k = 0; k < n; ++k) {
        Check(packets[k].ok == !forge);
        const std::vector<uint8_t>& want = forge ? sealed[0][k] : inputs[k].data;
        Check(std::equal(want.begin(), want.begin() + inputs[k].data.size(), bufs[k].begin()));
      }
    }
  }
  return 0;
}
