// NCCL where libtorch has none (Debian's 1.13 is CPU-only): every call
// says so. A CUDA libtorch compiles nccl_group.cc instead.

#include "absl/strings/str_cat.h"
#include "mdenas/distributed/nccl_group.h"

namespace mdenas {

absl::Status CheckNcclUsable(const WorldConfig& config) {
  return absl::FailedPreconditionError(
      absl::StrCat(WhoAmI(config),
                   " trains on CUDA, whose ranks exchange gradients through NCCL, but this "
                   "libtorch has no NCCL (Debian's is CPU-only): build with --config=cuda"));
}

absl::StatusOr<c10::intrusive_ptr<CollectiveGroup>> ConnectNccl(
    const c10::intrusive_ptr<c10d::Store>&, const WorldConfig& config, absl::Duration) {
  return CheckNcclUsable(config);
}

}  // namespace mdenas
