#include "mdenas/kernels/kernels.h"

#include "absl/strings/str_cat.h"

namespace mdenas {

std::string KernelsName(Kernels kernels) {
  return kernels == Kernels::kAten ? "aten" : "fast";
}

absl::StatusOr<Kernels> ParseKernels(absl::string_view name) {
  if (name == "aten") return Kernels::kAten;
  if (name == "fast") return Kernels::kFast;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown kernels '", name, "'; expected aten or fast"));
}

}  // namespace mdenas
