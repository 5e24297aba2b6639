// The collectives the public ones are built from: in-place sums and means
// of many tensors through flat buckets, and small all-reduces and
// all-gathers of values. A single process returns at once.

#ifndef MDENAS_DISTRIBUTED_TENSOR_COLLECTIVES_H_
#define MDENAS_DISTRIBUTED_TENSOR_COLLECTIVES_H_

#include <torch/types.h>

#include <cstdint>
#include <torch/csrc/distributed/c10d/Types.hpp>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mdenas/distributed/process_group.h"

namespace mdenas {

enum class Reduction { kSum, kMean };

// Sums or averages `tensors` in place across the ranks. Consecutive tensors
// of one dtype and device are flattened into buckets of at most
// `bucket_bytes` (a larger tensor is a bucket of its own) and summed; a
// mean then divides by the world size, since Gloo has no average (integer
// tensors round down). Every rank must pass tensors of the same shapes in
// the same order. Returns the number of buckets; `what` names the tensors
// in errors.
absl::StatusOr<int> ReduceInPlace(const World& world, const std::vector<torch::Tensor>& tensors,
                                  Reduction reduction, int64_t bucket_bytes,
                                  absl::string_view what);

// Element-wise `op` (SUM, MIN, MAX) of `values` across the ranks.
absl::StatusOr<std::vector<int64_t>> AllReduceInt64s(const World& world,
                                                     const std::vector<int64_t>& values,
                                                     c10d::ReduceOp op, absl::string_view what);

// Element-wise `op` of `values` across the ranks, in double precision.
absl::StatusOr<std::vector<double>> AllReduceDoubles(const World& world,
                                                     const std::vector<double>& values,
                                                     c10d::ReduceOp op, absl::string_view what);

// Every rank's `values`, by rank.
absl::StatusOr<std::vector<std::vector<int64_t>>> AllGatherInt64s(
    const World& world, const std::vector<int64_t>& values, absl::string_view what);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_TENSOR_COLLECTIVES_H_
