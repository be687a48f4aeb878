#pragma once

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace sfu {

// Appends `s` as a JSON string literal (RFC 8259 §7): quotes and backslashes escaped, control
// characters as \u00XX, everything else (UTF-8 included) as is. For the small JSON documents sfud
// writes by hand (the /api/rooms listing, sfud-loadgen's report).
inline void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace sfu
