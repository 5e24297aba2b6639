#include "mdenas/distributed/all_reduce_combiner.h"

namespace mdenas {

AllReduceGradients::AllReduceGradients(const World* world, int64_t bucket_bytes)
    : world_(world), bucket_bytes_(bucket_bytes) {}

absl::Status AllReduceGradients::Combine(const std::vector<torch::Tensor>& parameters) {
  absl::StatusOr<GradientAverage> average = AverageGradients(*world_, parameters, bucket_bytes_);
  if (!average.ok()) return average.status();
  last_ = *average;
  return absl::OkStatus();
}

}  // namespace mdenas
