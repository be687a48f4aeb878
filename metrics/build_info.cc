#include "metrics/build_info.h"

// SFUD_VERSION and SFUD_GIT_COMMIT come from metrics/CMakeLists.txt, on this file only, so a new
// commit recompiles one file rather than invalidating every object's ccache entry.
#ifndef SFUD_VERSION
#define SFUD_VERSION "unknown"
#endif
#ifndef SFUD_GIT_COMMIT
#define SFUD_GIT_COMMIT "unknown"
#endif

namespace sfu::metrics {
namespace {

#define SFUD_STR2(x) #x
#define SFUD_STR(x) SFUD_STR2(x)

std::string Compiler() {
#if defined(__clang__)
  return "clang " SFUD_STR(__clang_major__) "." SFUD_STR(__clang_minor__) "." SFUD_STR(
      __clang_patchlevel__);
#elif defined(__GNUC__)
  return "gcc " SFUD_STR(__GNUC__) "." SFUD_STR(__GNUC_MINOR__) "." SFUD_STR(__GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

#undef SFUD_STR
#undef SFUD_STR2

}  // namespace

BuildInfo CurrentBuildInfo() { return BuildInfo{SFUD_VERSION, SFUD_GIT_COMMIT, Compiler()}; }

}  // namespace sfu::metrics
