#include "daemon/logger.h"

namespace sfu::daemon {

void Logger::Write(LogLevel level, std::string_view message) {
  if (!Enabled(level)) return;
  std::lock_guard<std::mutex> lock(mutex_);
  std::fprintf(out_, "<%d>", static_cast<int>(level));
  // A message must stay one journal entry: newlines inside it become spaces.
  for (char c : message) std::fputc(c == '\n' || c == '\r' ? ' ' : c, out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace sfu::daemon
