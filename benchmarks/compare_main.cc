// //benchmarks:compare: checks a benchmark result against its baseline.
//
//   bazel run //benchmarks:search_step -- --out=/tmp/now.json
//   bazel run //benchmarks:compare -- /tmp/now.json
//   bazel run //benchmarks:compare -- runs/<search>/result.json
//
// A search_step result (regression.h): the speed ratios fast/aten, within
// 25% below the baseline's (benchmarks/baselines/search_step.json), and the
// fast configurations' tensor memory, within 2% above. A search's
// result.json: its device-hours per epoch, within 10% above, and images/s,
// within 10% below, those of the search in benchmarks/baselines/
// search_epochs/ that ran on the same device doing the same work per epoch
// (results of lent GPU hosts, added as they are measured). Exits 1 on a
// regression, 2 when there is nothing to compare with.

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "benchmarks/regression.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"

ABSL_FLAG(std::string, baseline, "",
          "Baseline JSON; default benchmarks/baselines/search_step.json for a search_step "
          "result, the comparable one in benchmarks/baselines/search_epochs/ for a search's.");

namespace mdenas {
namespace {

constexpr char kSearchStepBaseline[] = "benchmarks/baselines/search_step.json";
constexpr char kSearchEpochBaselines[] = "benchmarks/baselines/search_epochs";

int Report(const absl::StatusOr<Comparison>& comparison, const std::string& baseline_path) {
  if (!comparison.ok()) {
    std::cerr << "error: " << comparison.status().message() << "\n";
    return 2;
  }
  for (const std::string& line : comparison->lines) std::cout << line << "\n";
  std::cout << (comparison->regressed ? "REGRESSION against " : "no regression against ")
            << baseline_path << "\n";
  return comparison->regressed ? 1 : 0;
}

int CompareSearchStep(const char* argv0, const std::string& path) {
  std::string baseline_path = UserPath(absl::GetFlag(FLAGS_baseline));
  if (baseline_path.empty()) {
    const auto found = RunfilePath(argv0, kSearchStepBaseline);
    if (!found.ok()) {
      std::cerr << "error: cannot find the baseline: " << found.status().message() << "\n";
      return 2;
    }
    baseline_path = *found;
  }
  const auto baseline = ReadSearchStepJson(baseline_path);
  const auto current = ReadSearchStepJson(path);
  for (const auto* read : {&baseline, &current}) {
    if (!read->ok()) {
      std::cerr << "error: " << read->status().message() << "\n";
      return 2;
    }
  }
  return Report(CompareSearchSteps(*baseline, *current, Tolerances()), baseline_path);
}

int CompareSearch(const char* argv0, const RunResult& current) {
  std::vector<std::string> candidates;
  if (const std::string named = UserPath(absl::GetFlag(FLAGS_baseline)); !named.empty()) {
    candidates.push_back(named);
  } else if (const auto folder = RunfilePath(argv0, kSearchEpochBaselines); folder.ok()) {
    if (const auto files = ListDirectory(*folder); files.ok()) {
      for (const std::string& file : *files) {
        if (absl::EndsWith(file, ".json")) candidates.push_back(JoinPath(*folder, file));
      }
    }
  }
  std::string why_not;
  for (const std::string& candidate : candidates) {
    const auto baseline = ReadRunResult(candidate);
    if (!baseline.ok()) {
      std::cerr << "error: " << baseline.status().message() << "\n";
      return 2;
    }
    const auto comparison = CompareSearchEpochs(*baseline, current, Tolerances());
    if (comparison.ok()) return Report(comparison, candidate);
    why_not += "\n  " + candidate + ": " + std::string(comparison.status().message());
  }
  std::cerr << "error: no baseline search ran on " << current.device()
            << " doing this search's work per epoch (lent GPU hosts add theirs to "
            << kSearchEpochBaselines << "/; --baseline=FILE names one)" << why_not << "\n";
  return 2;
}

int Main(const char* argv0, const std::vector<char*>& args) {
  if (args.size() != 2) {
    std::cerr << "usage: compare <search_step.json | a search's result.json> [--baseline=FILE]\n";
    return 2;
  }
  const std::string path = UserPath(args[1]);
  // A search's result.json names its spec; a search_step JSON does not.
  if (const auto search = ReadRunResult(path); search.ok() && search->has_search_spec()) {
    return CompareSearch(argv0, *search);
  }
  return CompareSearchStep(argv0, path);
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "compare <search_step.json | a search's result.json> [--baseline=FILE]");
  const std::vector<char*> args = mdenas::ParseCommandLine(argc, argv);
  return mdenas::Main(argv[0], args);
}
