#include "mdenas/distributed/all_reduce_combiner.h"

#include <torch/torch.h>

#include <limits>

namespace mdenas {

AllReduceGradients::AllReduceGradients(const World* world, int64_t bucket_bytes)
    : world_(world), bucket_bytes_(bucket_bytes) {}

void AllReduceGradients::Combine(const std::vector<torch::Tensor>& parameters) {
  if (status_.ok()) {
    absl::StatusOr<GradientAverage> average = AverageGradients(*world_, parameters, bucket_bytes_);
    if (average.ok()) {
      last_ = *average;
      return;
    }
    status_ = average.status();
  }
  // This rank's own gradients are not the batch's; a NaN norm makes
  // TrainingStep skip the update instead of applying them.
  torch::NoGradGuard no_grad;
  for (const torch::Tensor& parameter : parameters) {
    torch::Tensor gradient = parameter.grad();
    if (gradient.defined()) gradient.fill_(std::numeric_limits<double>::quiet_NaN());
  }
}

}  // namespace mdenas
