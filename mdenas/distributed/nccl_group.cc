// NCCL in a CUDA libtorch (--config=cuda): the other build compiles
// nccl_group_unavailable.cc instead.

#include "mdenas/distributed/nccl_group.h"

#include <torch/cuda.h>

#include <cstdlib>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include "absl/strings/str_cat.h"
#include "mdenas/distributed/c10d_call.h"

namespace mdenas {

absl::Status CheckNcclUsable(const WorldConfig& config) {
  const int devices = static_cast<int>(torch::cuda::device_count());
  if (config.local_rank < devices) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      WhoAmI(config), " needs cuda:", config.local_rank,
      " for NCCL (one GPU per process on each machine, by LOCAL_RANK), but this machine has ",
      devices == 0 ? "no CUDA device" : absl::StrCat(devices, " CUDA device(s)")));
}

absl::StatusOr<c10::intrusive_ptr<CollectiveGroup>> ConnectNccl(
    const c10::intrusive_ptr<c10d::Store>& store, const WorldConfig& config,
    absl::Duration timeout) {
  // Without blocking waits, a collective past its timeout ends the process
  // from NCCL's watchdog thread, and the run could not say which step
  // failed. The user's own setting stands.
  setenv("TORCH_NCCL_BLOCKING_WAIT", "1", /*overwrite=*/0);
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = absl::ToChronoMilliseconds(timeout);
  const c10::Device device = NcclDevice(config);
  try {
    auto group =
        c10::make_intrusive<c10d::ProcessGroupNCCL>(store, config.rank, config.world_size, options);
    group->setBoundDeviceId(device);
    group->eagerConnectSingleDevice(device);
    return c10::intrusive_ptr<CollectiveGroup>(std::move(group));
  } catch (const std::exception& error) {
    return absl::UnavailableError(
        absl::StrCat(WhoAmI(config), " could not connect its NCCL communicator on ", device.str(),
                     " to the other ranks within ", absl::FormatDuration(timeout), ": ",
                     ExceptionMessage(error)));
  }
}

}  // namespace mdenas
