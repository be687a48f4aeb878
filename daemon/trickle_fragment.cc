#include "daemon/trickle_fragment.h"

#include "absl/strings/str_cat.h"

namespace sfu::daemon {
namespace {

constexpr size_t kMaxLines = 1024;
constexpr size_t kMaxLineBytes = 1024;

// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/".
bool IsIceChars(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

absl::Status LineError(size_t line, std::string_view reason) {
  return absl::InvalidArgumentError(
      absl::StrCat("sdpfrag line ", line, ": ", absl::string_view(reason.data(), reason.size())));
}

}  // namespace

absl::StatusOr<TrickleFragment> ParseTrickleFragment(std::string_view text) {
  TrickleFragment out;
  size_t line_number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (++line_number > kMaxLines) return LineError(line_number, "too many lines");
    if (line.size() > kMaxLineBytes) return LineError(line_number, "line too long");
    if (line.empty()) continue;
    if (line.starts_with("a=ice-ufrag:")) {
      std::string_view v = line.substr(12);
      if (!IsIceChars(v)) return LineError(line_number, "bad ice-ufrag");
      out.ice_ufrag = std::string(v);
    } else if (line.starts_with("a=ice-pwd:")) {
      std::string_view v = line.substr(10);
      if (!IsIceChars(v)) return LineError(line_number, "bad ice-pwd");
      out.ice_pwd = std::string(v);
    } else if (line.starts_with("a=candidate:")) {
      ++out.candidates;
    } else if (line == "a=end-of-candidates") {
      out.end_of_candidates = true;
    } else if (line.starts_with("a=ice-options:") || line.starts_with("a=group:") ||
               line.starts_with("a=mid:") || line.starts_with("m=")) {
      // Context lines: which m= section the candidates belong to (one BUNDLE transport here).
    } else {
      return LineError(line_number, "unexpected line in a trickle-ice-sdpfrag");
    }
  }
  return out;
}

}  // namespace sfu::daemon
