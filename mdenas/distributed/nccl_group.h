// NCCL, c10d's collectives between GPUs, for a world whose runs train on
// CUDA. Only a CUDA libtorch has it (--config=cuda); Debian's 1.13 is
// CPU-only, and there ConnectNccl says so.

#ifndef MDENAS_DISTRIBUTED_NCCL_GROUP_H_
#define MDENAS_DISTRIBUTED_NCCL_GROUP_H_

#include <c10/core/Device.h>
#include <c10/util/intrusive_ptr.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mdenas/distributed/collective_group.h"
#include "mdenas/distributed/world_config.h"

namespace c10d {
class Store;
}  // namespace c10d

namespace mdenas {

// The GPU whose NCCL communicator `config`'s rank uses: cuda:LOCAL_RANK,
// one GPU per process on each machine, as torchrun's users expect.
inline c10::Device NcclDevice(const WorldConfig& config) {
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(config.local_rank));
}

// An error unless this build has NCCL and this machine has the rank's GPU
// (NcclDevice); checked before any rank waits for the others.
absl::Status CheckNcclUsable(const WorldConfig& config);

// Connects `config`'s rank, for which CheckNcclUsable holds, to the others'
// NCCL communicator through `store`, at once rather than at the first collective, so that a rank
// that does not come is reported here. A collective that does not finish
// within `timeout` throws in Work::wait, as Gloo's do, instead of NCCL's
// watchdog ending the process.
absl::StatusOr<c10::intrusive_ptr<CollectiveGroup>> ConnectNccl(
    const c10::intrusive_ptr<c10d::Store>& store, const WorldConfig& config,
    absl::Duration timeout);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_NCCL_GROUP_H_
