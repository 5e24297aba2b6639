// One configuration of the search-step benchmark, run in this process: the
// single-path supernet (the search step), the stand-alone network of each
// sampled path, or the DARTS-style mixed supernet, on aten or fast kernels,
// in NCHW or channels-last layout; of the DARTS space or of NAS-Bench-201's
// (SearchStepSettings.space), whose supernet runs on aten only. Each step is the training loop's
// (mdenas/training/step.h): clear the gradients, forward, cross entropy,
// backward, clip, SGD; on CIFAR-sized random images and a random sampled
// path per step, all from a fixed seed.

#ifndef BENCHMARKS_SEARCH_STEP_RUNNER_H_
#define BENCHMARKS_SEARCH_STEP_RUNNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "benchmarks/search_step.pb.h"
#include "mdenas/kernels/kernels.h"
#include "mdenas/training/step.h"

namespace mdenas {

enum class StepNetwork { kSinglePath, kStandalone, kMixed };

struct StepConfiguration {
  std::string name;
  Kernels kernels;
  bool channels_last;
  StepNetwork network;
};

// aten_nchw, aten_channels_last, fast (single path); standalone_fast;
// mixed_fast.
const std::vector<StepConfiguration>& StepConfigurations();

absl::StatusOr<StepConfiguration> FindStepConfiguration(absl::string_view name);

// The spaces the benchmark steps: "darts", "nb201".
std::vector<std::string> StepSpaces();

// Why `configuration` does not apply to the step `settings` describe (its
// kernels are ones the space's operations do not run on, or compute in
// float32 where bfloat16 is asked for), or empty where it applies.
std::string NotApplicable(const StepConfiguration& configuration,
                          const SearchStepSettings& settings);

struct StepRun {
  std::vector<double> step_seconds;
  // Forward multiply-accumulates over the timed steps.
  int64_t macs = 0;
  int64_t peak_tensor_bytes = 0;
};

// Runs settings.warmup_steps() + settings.steps() steps of `configuration`
// on the supernet of settings.space() (default darts) with
// settings.threads() intra-op threads on settings.device() (default cpu);
// times the last steps() of them, each to its end on a GPU.
// Under valgrind --tool=callgrind --instr-atstart=no only those are counted.
// Each step's gradients go through `combiner` (none: a single process's,
// which has nothing to combine). An error where the configuration does not
// apply to the space, the space cannot be made, or combining failed.
absl::StatusOr<StepRun> RunStepConfiguration(const StepConfiguration& configuration,
                                             const SearchStepSettings& settings,
                                             GradientCombiner* combiner = nullptr);

}  // namespace mdenas

#endif  // BENCHMARKS_SEARCH_STEP_RUNNER_H_
