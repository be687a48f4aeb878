#include "core/sfu/router_output.h"

#include <algorithm>

namespace sfu::sfu {

OutputBatch::OutputBatch(size_t max_outputs, size_t arena_bytes, size_t tailroom)
    : outputs_(max_outputs), arena_(arena_bytes), tailroom_(tailroom) {}

absl::Span<uint8_t> OutputBatch::Begin(size_t max_size) {
  if (count_ == outputs_.size()) return {};
  const size_t need = max_size + tailroom_;
  if (need > arena_.size() - used_) return {};
  return absl::MakeSpan(arena_).subspan(used_, max_size);
}

void OutputBatch::Commit(RouterOutput header, size_t size) {
  header.offset = static_cast<uint32_t>(used_);
  header.size = static_cast<uint32_t>(size);
  outputs_[count_++] = header;
  // Keep every packet 8-byte aligned: the caller's in-place crypto may prefer it.
  used_ = std::min(arena_.size(), (used_ + size + tailroom_ + 7) & ~size_t{7});
}

}  // namespace sfu::sfu
