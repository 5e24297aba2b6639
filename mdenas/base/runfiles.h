// Files a binary carries with it (Bazel `data` dependencies), such as spec
// presets, and the binaries a test drives: found under `bazel run`, when the
// binary runs directly, in `bazel test`, and in the CMake build.

#ifndef MDENAS_BASE_RUNFILES_H_
#define MDENAS_BASE_RUNFILES_H_

#include <string>

#include "absl/status/statusor.h"

namespace mdenas {

// The path of `file`, named from the workspace root (e.g.
// "benchmarks/specs/cpu_default.textproto", or "mdenas/search" for a
// binary), for the binary started as `argv0`; null `argv0` in tests.
absl::StatusOr<std::string> RunfilePath(const char* argv0,
                                        const std::string& file);

}  // namespace mdenas

#endif  // MDENAS_BASE_RUNFILES_H_
