// //benchmarks:compare: checks a search_step result against the baseline.
//
//   bazel run //benchmarks:search_step -- --out=/tmp/now.json
//   bazel run //benchmarks:compare -- /tmp/now.json
//
// Compares what a run measures against itself (regression.h): the speed
// ratios fast/aten, within 25% below the baseline's, and the fast
// configurations' tensor memory, within 2% above. Exits 1 on a regression,
// 2 when the files cannot be compared.

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "benchmarks/regression.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"

ABSL_FLAG(std::string, baseline, "",
          "Baseline JSON; default benchmarks/baselines/search_step.json.");

namespace mdenas {
namespace {

constexpr char kBaseline[] = "benchmarks/baselines/search_step.json";

int Main(const char* argv0, const std::vector<char*>& args) {
  if (args.size() != 2) {
    std::cerr << "usage: compare <search_step.json> [--baseline=FILE]\n";
    return 2;
  }
  std::string baseline_path = UserPath(absl::GetFlag(FLAGS_baseline));
  if (baseline_path.empty()) {
    const auto found = RunfilePath(argv0, kBaseline);
    if (!found.ok()) {
      std::cerr << "error: cannot find the baseline: " << found.status().message() << "\n";
      return 2;
    }
    baseline_path = *found;
  }
  const auto baseline = ReadSearchStepJson(baseline_path);
  const auto current = ReadSearchStepJson(UserPath(args[1]));
  for (const auto* read : {&baseline, &current}) {
    if (!read->ok()) {
      std::cerr << "error: " << read->status().message() << "\n";
      return 2;
    }
  }
  const auto comparison = CompareSearchSteps(*baseline, *current, Tolerances());
  if (!comparison.ok()) {
    std::cerr << "error: " << comparison.status().message() << "\n";
    return 2;
  }
  for (const std::string& line : comparison->lines) std::cout << line << "\n";
  std::cout << (comparison->regressed ? "REGRESSION against " : "no regression against ")
            << baseline_path << "\n";
  return comparison->regressed ? 1 : 0;
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("compare <search_step.json> [--baseline=FILE]");
  const std::vector<char*> args = mdenas::ParseCommandLine(argc, argv);
  return mdenas::Main(argv[0], args);
}
