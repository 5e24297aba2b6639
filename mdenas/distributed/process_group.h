// The processes that train one network together, joined through libtorch's
// c10d: a TCPStore for the rendezvous (hosted by rank 0, or by torchrun's
// agent) and a process group for the collectives: Gloo's over TCP, or
// NCCL's between the GPUs of runs that train on CUDA.
//
//   MDENAS_ASSIGN_OR_RETURN(WorldConfig config, WorldConfigFromEnvironment());
//   MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<World> world,
//                           World::Join(config, absl::Minutes(5), spec_and_build_digest));
//   WorldReplicas replicas(world.get());  // world_replicas.h

#ifndef MDENAS_DISTRIBUTED_PROCESS_GROUP_H_
#define MDENAS_DISTRIBUTED_PROCESS_GROUP_H_

#include <c10/core/Device.h>
#include <c10/util/intrusive_ptr.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mdenas/distributed/collective_group.h"
#include "mdenas/distributed/world_config.h"

namespace c10d {
class Store;
}  // namespace c10d

namespace mdenas {

// How the ranks exchange tensors, as torch.distributed's backends: Gloo
// (CPU tensors, or CUDA ones through host copies) or NCCL (CUDA tensors,
// one GPU per process; a CUDA libtorch only).
enum class Collectives { kGloo, kNccl };

class World {
 public:
  // Joins the world that `config` describes and returns when every rank has
  // joined. `timeout` bounds the wait for the other ranks here and every
  // collective later. `agreement_key` (e.g. a digest of the spec and of the
  // binary's build) must be the same on every rank: a mismatch is refused
  // on every rank, naming the ranks that differ. A single process joins
  // alone, without a store or a port.
  static absl::StatusOr<std::unique_ptr<World>> Join(const WorldConfig& config,
                                                     absl::Duration timeout,
                                                     absl::string_view agreement_key,
                                                     Collectives collectives = Collectives::kGloo);

  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World();

  int rank() const { return config_.rank; }
  int world_size() const { return config_.world_size; }
  const WorldConfig& config() const { return config_; }
  absl::Duration timeout() const { return timeout_; }
  // "rank 1 of 4", for messages.
  std::string WhoAmI() const;

  // Rank 0's `value` under `name`, on every rank: rank 0 publishes it
  // through the rendezvous store, the others wait for it up to the
  // timeout. A single process returns its own.
  absl::StatusOr<std::string> ValueOfRankZero(absl::string_view name, absl::string_view value);

  // The process group; null for a single process.
  CollectiveGroup* process_group() const { return process_group_.get(); }
  // Where the tensors of collectives live: the CPU for Gloo, this rank's
  // GPU (NcclDevice) for NCCL.
  c10::Device device() const { return device_; }

 private:
  World(const WorldConfig& config, absl::Duration timeout, c10::Device device);

  WorldConfig config_;
  absl::Duration timeout_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::Device device_;
  c10::intrusive_ptr<CollectiveGroup> process_group_;
};

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_PROCESS_GROUP_H_
