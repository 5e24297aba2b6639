#include "mdenas/distributed/gradient_all_reduce.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/distributed/disagreement.h"
#include "mdenas/distributed/tensor_collectives.h"

namespace mdenas {
namespace {

// One small all-reduce: the maxima of (n, -n) give each count's maximum and
// minimum, equal only if every rank has the same. Only then, to name them,
// are the counts gathered.
absl::Status CheckSameGradients(const World& world, const GradientSum& mine) {
  MDENAS_ASSIGN_OR_RETURN(
      std::vector<int64_t> extremes,
      AllReduceInt64s(world, {mine.gradients, -mine.gradients, mine.values, -mine.values},
                      c10d::ReduceOp::MAX, "the number of gradients"));
  if (extremes[0] == -extremes[1] && extremes[2] == -extremes[3]) return absl::OkStatus();
  MDENAS_ASSIGN_OR_RETURN(
      std::vector<std::vector<int64_t>> counts,
      AllGatherInt64s(world, {mine.gradients, mine.values}, "the number of gradients"));
  std::vector<std::string> described;
  for (const std::vector<int64_t>& one : counts) {
    described.push_back(absl::StrCat(one[0], " gradients of ", one[1], " values"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat(world.WhoAmI(), ": the ranks have gradients for different parameters (",
                   DescribeDisagreement(described),
                   "); every rank must sample the same path from the same seed"));
}

}  // namespace

absl::StatusOr<GradientSum> SumGradients(const World& world,
                                         const std::vector<torch::Tensor>& parameters,
                                         int64_t bucket_bytes) {
  GradientSum sum;
  std::vector<torch::Tensor> gradients;
  for (const torch::Tensor& parameter : parameters) {
    const torch::Tensor& gradient = parameter.grad();
    if (!gradient.defined()) continue;
    gradients.push_back(gradient);
    sum.values += gradient.numel();
  }
  sum.gradients = static_cast<int64_t>(gradients.size());
  if (world.world_size() == 1) return sum;
  MDENAS_RETURN_IF_ERROR(CheckSameGradients(world, sum));
  MDENAS_ASSIGN_OR_RETURN(
      sum.buckets, ReduceInPlace(world, gradients, Reduction::kSum, bucket_bytes, "gradients"));
  return sum;
}

}  // namespace mdenas
