// The --quick run of the table targets: the whole pipeline at CPU scale, so
// a user can see the method work end to end and compare the searched cell
// with random cells of the same space under one protocol.

#ifndef MDENAS_BENCHMARKS_QUICK_PIPELINE_H_
#define MDENAS_BENCHMARKS_QUICK_PIPELINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mdenas {

struct QuickRun {
  std::string label;        // "MdeNAS search, retrained", "random architecture 1"
  std::string result_path;  // The retraining's result.json.
};

// Searches with the default preset (benchmarks/specs/cpu_default.textproto),
// retrains the derived architecture with the CPU retraining preset
// (benchmarks/specs/eval/cpu.textproto) and tests it, then retrains
// `random_architectures` architectures drawn uniformly from the searched
// space with `seed` under the same preset. Run directories go under `out`.
// `argv0` finds the presets.
absl::StatusOr<std::vector<QuickRun>> RunQuickPipeline(const char* argv0,
                                                       const std::string& out,
                                                       int random_architectures,
                                                       uint64_t seed);

}  // namespace mdenas

#endif  // MDENAS_BENCHMARKS_QUICK_PIPELINE_H_
