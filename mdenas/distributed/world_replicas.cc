#include "mdenas/distributed/world_replicas.h"

#include "mdenas/distributed/collectives.h"

namespace mdenas {

WorldReplicas::WorldReplicas(const World* world, int64_t bucket_bytes)
    : world_(world), bucket_bytes_(bucket_bytes) {}

absl::Status WorldReplicas::Combine(const std::vector<torch::Tensor>& parameters) {
  absl::StatusOr<GradientSum> sum = SumGradients(*world_, parameters, bucket_bytes_);
  if (!sum.ok()) return sum.status();
  last_ = *sum;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<double>> WorldReplicas::Sum(const std::vector<double>& values) {
  return SumAcrossRanks(*world_, values);
}

absl::StatusOr<bool> WorldReplicas::AllTrue(bool value) { return TrueOnAllRanks(*world_, value); }

absl::Status WorldReplicas::AverageBuffers(const std::vector<torch::Tensor>& buffers) {
  return mdenas::AverageBuffers(*world_, buffers);
}

absl::Status WorldReplicas::CheckSame(absl::string_view what, absl::string_view bytes) {
  return CheckSameOnAllRanks(*world_, what, bytes);
}

}  // namespace mdenas
