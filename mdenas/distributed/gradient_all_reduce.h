// Data-parallel gradients: every rank computed its parameters' gradients
// of its share of the batch's loss (its shard's mean loss times the
// shard's share of the batch); afterwards each holds their sum over all
// ranks, the gradient of the whole batch.

#ifndef MDENAS_DISTRIBUTED_GRADIENT_ALL_REDUCE_H_
#define MDENAS_DISTRIBUTED_GRADIENT_ALL_REDUCE_H_

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "mdenas/distributed/process_group.h"

namespace mdenas {

// PyTorch DDP's default bucket: large enough that per-message latency is
// amortised, small enough that the flattened copy is cheap.
inline constexpr int64_t kDefaultGradientBucketBytes = int64_t{25} << 20;

struct GradientSum {
  int64_t gradients = 0;  // parameters that had a gradient
  int64_t values = 0;     // their elements
  int buckets = 0;        // all-reduces it took
};

// Replaces the gradient of every parameter that has one with its sum over
// the ranks, in `bucket_bytes` buckets; parameters without a gradient (not
// on the sampled path) are left alone. Every rank samples the same path, so
// has gradients for the same parameters; if the numbers differ, it fails on
// every rank, naming each rank's.
absl::StatusOr<GradientSum> SumGradients(const World& world,
                                         const std::vector<torch::Tensor>& parameters,
                                         int64_t bucket_bytes = kDefaultGradientBucketBytes);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_GRADIENT_ALL_REDUCE_H_
