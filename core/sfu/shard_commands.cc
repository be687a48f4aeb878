#include "core/sfu/shard_commands.h"

namespace sfu::sfu {

std::string_view ToString(RemoveReason reason) {
  switch (reason) {
    case RemoveReason::kDeleted:
      return "deleted";
    case RemoveReason::kShutdown:
      return "shutdown";
    case RemoveReason::kRejected:
      return "rejected";
    case RemoveReason::kConsentExpired:
      return "consent_expired";
    case RemoveReason::kDtlsFailed:
      return "dtls_failed";
    case RemoveReason::kDtlsClosed:
      return "dtls_closed";
    case RemoveReason::kSrtpSetupFailed:
      return "srtp_setup_failed";
  }
  return "unknown";
}

}  // namespace sfu::sfu
