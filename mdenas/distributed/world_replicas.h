// The training step's GradientCombiner for a data-parallel world: the
// gradients averaged across the ranks (gradient_all_reduce.h).
//
//   AllReduceGradients combiner(world.get());
//   TrainingStep step(spec.optimizer(), net->parameters(), &combiner);
//   ...
//   MDENAS_ASSIGN_OR_RETURN(const bool updated, step.Apply(loss));

#ifndef MDENAS_DISTRIBUTED_ALL_REDUCE_COMBINER_H_
#define MDENAS_DISTRIBUTED_ALL_REDUCE_COMBINER_H_

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "mdenas/distributed/gradient_all_reduce.h"
#include "mdenas/distributed/process_group.h"
#include "mdenas/training/step.h"

namespace mdenas {

class AllReduceGradients final : public GradientCombiner {
 public:
  // `world` must outlive the combiner.
  explicit AllReduceGradients(const World* world,
                              int64_t bucket_bytes = kDefaultGradientBucketBytes);

  // Averages the gradients across the ranks; the error of a rank gone,
  // within the world's timeout.
  absl::Status Combine(const std::vector<torch::Tensor>& parameters) override;

  // The last successful Combine's counts.
  const GradientAverage& last() const { return last_; }

 private:
  const World* world_;
  int64_t bucket_bytes_;
  GradientAverage last_;
};

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_ALL_REDUCE_COMBINER_H_
