// Which implementation of the cell kernels a network runs: the reference
// (libtorch's own ATen operators, as eager PyTorch would run them) or this
// folder's fast ones (channels-last CPU kernels, CUDA kernels on a GPU).
// Chosen per network at construction (OperationOptions, SupernetOptions,
// DartsNetworkOptions) and per search by RuntimeSpec.kernels.

#ifndef MDENAS_KERNELS_KERNELS_H_
#define MDENAS_KERNELS_KERNELS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mdenas {

enum class Kernels {
  // ATen operators, in whatever memory format the input has.
  kAten,
  // This folder's kernels; they compute in channels-last (NHWC) layout.
  kFast,
};

// "aten" or "fast".
std::string KernelsName(Kernels kernels);

// The inverse of KernelsName.
absl::StatusOr<Kernels> ParseKernels(absl::string_view name);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_KERNELS_H_
