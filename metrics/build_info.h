#pragma once

#include <string>

namespace sfu::metrics {

// What sfud_build_info reports about the running binary.
struct BuildInfo {
  std::string version;   // the CMake project version, e.g. "0.1.0"
  std::string commit;    // short git commit at configure time, or "unknown" outside a git tree
  std::string compiler;  // e.g. "gcc 12.2.0" or "clang 14.0.6"
};

// The build this binary came from (fixed at compile time of build_info.cc).
BuildInfo CurrentBuildInfo();

}  // namespace sfu::metrics
