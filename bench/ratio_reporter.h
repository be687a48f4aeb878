#pragma once

// The console reporter the benchmarks share for their closing ratio lines: it prints the usual
// table and keeps every counter of every iteration run, keyed "function_name[/args] counter"
// (e.g. "handshake/sfud handshakes/s", "fanout/sfud/4000 ns/copy"), so main() can compare runs
// measured in the same process.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sfu::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      std::string key = run.run_name.function_name;
      if (!run.run_name.args.empty()) key += "/" + run.run_name.args;
      for (const auto& [name, counter] : run.counters) values_[key + " " + name] = counter.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

  std::optional<double> Value(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }

  // Prints "what = a/b   (note)" if both were measured in this run (and b is not zero).
  void PrintRatio(const std::string& what, const std::string& a, const std::string& b,
                  const std::string& note) const {
    const std::optional<double> va = Value(a), vb = Value(b);
    if (!va || !vb || *vb == 0) return;
    std::printf("%-44s = %8.3f   (%s)\n", what.c_str(), *va / *vb, note.c_str());
  }

 private:
  std::map<std::string, double> values_;
};

}  // namespace sfu::bench
