#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"

namespace sfu::net {

// Page-aligned anonymous memory (mmap) for receive slots and io_uring buffer rings, which the
// kernel wants page-aligned. Move-only; unmaps on destruction.
class MappedRegion {
 public:
  static absl::StatusOr<MappedRegion> Allocate(size_t bytes);

  MappedRegion() = default;
  MappedRegion(MappedRegion&& other) noexcept;
  MappedRegion& operator=(MappedRegion&& other) noexcept;
  MappedRegion(const MappedRegion&) = delete;
  MappedRegion& operator=(const MappedRegion&) = delete;
  ~MappedRegion();

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedRegion(uint8_t* data, size_t size) : data_(data), size_(size) {}
  void Reset();

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sfu::net
