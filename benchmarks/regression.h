// Compares a benchmark with its baseline: what //benchmarks:compare reports.
//
// A search_step result: only what one run measures against itself is
// compared, since these machines are shared and seconds move with their
// load: the speed ratios fast/aten (measured in the same run, in turn) and
// the memory (tensor bytes, which do not depend on the load at all).
//
// A search's result.json: its device-hours per epoch and images/s against
// a search measured on the same device doing the same work per epoch. Its
// seconds are compared as they are, so only results of a machine of its own
// (a lent GPU host) are kept as baselines: benchmarks/baselines/search_epochs/.

#ifndef BENCHMARKS_REGRESSION_H_
#define BENCHMARKS_REGRESSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "benchmarks/search_step.pb.h"
#include "mdenas/proto/run_result.pb.h"

namespace mdenas {

struct Tolerances {
  // A speed ratio may fall this fraction below the baseline's: runs of the
  // same build on a loaded 2-core machine differ by up to about 15%.
  double speed_ratio = 0.25;
  // Tensor bytes and memory ratios may rise this fraction above the
  // baseline's.
  double memory = 0.02;
  // A search's device-hours per epoch may rise, and its images/s fall, this
  // fraction from the baseline's.
  double search_epoch = 0.10;
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

// Device-hours per epoch of a search's result: the wall time of its epochs
// after the first (which warms up), times its processes. An error for a
// result with fewer than two epochs.
absl::StatusOr<double> DeviceHoursPerEpoch(const RunResult& search);

// Fails (InvalidArgument, saying why) unless both are searches on the same
// device with the same precision doing the same work per epoch: the same
// spec but for the epochs, the seeds, the learner, the data's path and the
// output.
absl::StatusOr<Comparison> CompareSearchEpochs(const RunResult& baseline, const RunResult& current,
                                               const Tolerances& tolerances);

// A search_step JSON file, a search's result.json, or an InstructionBaseline
// file.
absl::StatusOr<SearchStepBenchmark> ReadSearchStepJson(const std::string& path);
absl::StatusOr<RunResult> ReadRunResult(const std::string& path);
absl::StatusOr<InstructionBaseline> ReadInstructionBaseline(const std::string& path);

}  // namespace mdenas

#endif  // BENCHMARKS_REGRESSION_H_
