// Compares a search_step result with a baseline: what //benchmarks:compare
// reports. Only what one run measures against itself is compared, since
// these machines are shared and seconds move with their load: the speed
// ratios fast/aten (measured in the same run, in turn) and the memory
// (tensor bytes, which do not depend on the load at all).

#ifndef BENCHMARKS_REGRESSION_H_
#define BENCHMARKS_REGRESSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmarks/search_step.pb.h"

namespace mdenas {

struct Tolerances {
  // A speed ratio may fall this fraction below the baseline's: runs of the
  // same build on a loaded 2-core machine differ by up to about 15%.
  double speed_ratio = 0.25;
  // Tensor bytes and memory ratios may rise this fraction above the
  // baseline's.
  double memory = 0.02;
};

struct Comparison {
  // One line per figure compared: baseline, now, verdict.
  std::vector<std::string> lines;
  bool regressed = false;
};

// Fails (InvalidArgument) when the two were measured with other settings.
absl::StatusOr<Comparison> CompareSearchSteps(const SearchStepBenchmark& baseline,
                                              const SearchStepBenchmark& current,
                                              const Tolerances& tolerances);

// A search_step JSON file, or an InstructionBaseline one.
absl::StatusOr<SearchStepBenchmark> ReadSearchStepJson(const std::string& path);
absl::StatusOr<InstructionBaseline> ReadInstructionBaseline(const std::string& path);

}  // namespace mdenas

#endif  // BENCHMARKS_REGRESSION_H_
