// The training loop's replicas (training/replicas.h) over a c10d world: the
// ranks of a World are the replicas; gradients are summed in flat buckets
// (gradient_all_reduce.h), everything else goes through collectives.h.
//
//   MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<World> world, World::Join(...));
//   WorldReplicas replicas(world.get());
//   MDENAS_ASSIGN_OR_RETURN(auto search, Search::Create(spec, data, run, false, &replicas));

#ifndef MDENAS_DISTRIBUTED_WORLD_REPLICAS_H_
#define MDENAS_DISTRIBUTED_WORLD_REPLICAS_H_

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mdenas/distributed/gradient_all_reduce.h"
#include "mdenas/distributed/process_group.h"
#include "mdenas/training/replicas.h"

namespace mdenas {

class WorldReplicas final : public Replicas {
 public:
  // `world` must outlive the replicas.
  explicit WorldReplicas(const World* world, int64_t bucket_bytes = kDefaultGradientBucketBytes);

  // Sums the gradients across the ranks; the error of a rank gone, within
  // the world's timeout.
  absl::Status Combine(const std::vector<torch::Tensor>& parameters) override;
  int rank() const override { return world_->rank(); }
  int count() const override { return world_->world_size(); }
  int count_here() const override { return world_->config().local_world_size; }
  int rank_here() const override { return world_->config().local_rank; }
  absl::StatusOr<std::vector<double>> Sum(const std::vector<double>& values) override;
  absl::StatusOr<bool> AllTrue(bool value) override;
  absl::Status AverageBuffers(const std::vector<torch::Tensor>& buffers) override;
  absl::Status CheckSame(absl::string_view what, absl::string_view bytes) override;

  // The last successful Combine's counts.
  const GradientSum& last() const { return last_; }

 private:
  const World* world_;
  int64_t bucket_bytes_;
  GradientSum last_;
};

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_WORLD_REPLICAS_H_
