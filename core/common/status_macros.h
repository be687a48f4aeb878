#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Status plumbing for boundaries (config, commands, key import, setup). Not for the packet path,
// which returns bool/optional and counts a drop reason instead.

#define SFU_STATUS_CONCAT_INNER_(a, b) a##b
#define SFU_STATUS_CONCAT_(a, b) SFU_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` (an absl::Status) is not OK.
#define SFU_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::absl::Status sfu_status_ = (expr);       \
    if (!sfu_status_.ok()) return sfu_status_; \
  } while (false)

// `lhs` = the value of `rexpr` (an absl::StatusOr<T>), or returns its status from the function.
//   SFU_ASSIGN_OR_RETURN(auto cert, Certificate::Generate(...));
#define SFU_ASSIGN_OR_RETURN(lhs, rexpr) \
  SFU_ASSIGN_OR_RETURN_IMPL_(SFU_STATUS_CONCAT_(sfu_statusor_, __LINE__), lhs, rexpr)

#define SFU_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr)   \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
