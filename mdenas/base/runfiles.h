// Files a binary carries with it (Bazel `data` dependencies), such as spec
// presets, found whether the binary runs under `bazel run` or directly.

#ifndef MDENAS_BASE_RUNFILES_H_
#define MDENAS_BASE_RUNFILES_H_

#include <string>

#include "absl/status/statusor.h"

namespace mdenas {

// The path of `file`, named from the workspace root (e.g.
// "benchmarks/specs/cpu_default.textproto"), among the runfiles of the
// binary started as `argv0`.
absl::StatusOr<std::string> RunfilePath(const char* argv0,
                                        const std::string& file);

}  // namespace mdenas

#endif  // MDENAS_BASE_RUNFILES_H_
