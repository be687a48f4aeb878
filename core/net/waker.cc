#include "core/net/waker.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sfu::net {

absl::StatusOr<Waker> Waker::Create() {
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  return Waker(fd);
}

Waker::Waker(Waker&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

Waker& Waker::operator=(Waker&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Waker::~Waker() {
  if (fd_ >= 0) close(fd_);
}

void Waker::Wake() const {
  const uint64_t one = 1;
  // EAGAIN means the counter is saturated, i.e. a wake is already pending: nothing to do.
  [[maybe_unused]] ssize_t n = write(fd_, &one, sizeof(one));
}

bool Waker::Drain() const {
  uint64_t value = 0;
  return read(fd_, &value, sizeof(value)) == static_cast<ssize_t>(sizeof(value));
}

}  // namespace sfu::net
