#include "mdenas/distributed/tensor_collectives.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/distributed/c10d_call.h"

namespace mdenas {
namespace {

c10d::AllreduceOptions Options(c10d::ReduceOp op) {
  c10d::AllreduceOptions options;
  options.reduceOp = op;
  return options;
}

template <typename T>
std::vector<T> Values(const torch::Tensor& tensor) {
  const torch::Tensor here = tensor.to(torch::kCPU);
  const T* data = here.data_ptr<T>();
  return std::vector<T>(data, data + tensor.numel());
}

// Element-wise `op` of `values` across the ranks.
template <typename T>
absl::StatusOr<std::vector<T>> AllReduceValues(const World& world, const std::vector<T>& values,
                                               c10d::ReduceOp op, absl::string_view what) {
  if (world.world_size() == 1) return values;
  std::vector<torch::Tensor> tensors = {
      torch::tensor(values, torch::dtype<T>()).to(world.device())};
  MDENAS_RETURN_IF_ERROR(RunCollective(
      world, absl::StrCat("all-reduce of ", what),
      [&tensors, op](CollectiveGroup& group) { return group.allreduce(tensors, Options(op)); }));
  return Values<T>(tensors[0]);
}

// Reduces one bucket: tensors[begin, end), all of one dtype and device.
absl::Status ReduceBucket(const World& world, const std::vector<torch::Tensor>& tensors,
                          size_t begin, size_t end, Reduction reduction,
                          const std::string& operation) {
  std::vector<torch::Tensor> pieces;
  for (size_t i = begin; i < end; ++i) pieces.push_back(tensors[i].reshape({-1}));
  // On the collectives' device (NCCL's GPU) whatever the tensors' own.
  std::vector<torch::Tensor> flat = {torch::cat(pieces).to(world.device())};
  MDENAS_RETURN_IF_ERROR(RunCollective(world, operation, [&flat](CollectiveGroup& group) {
    return group.allreduce(flat, Options(c10d::ReduceOp::SUM));
  }));
  if (reduction == Reduction::kMean) {
    if (flat[0].is_floating_point() || flat[0].is_complex()) {
      flat[0].div_(world.world_size());
    } else {
      flat[0].div_(world.world_size(), "floor");
    }
  }
  int64_t offset = 0;
  for (size_t i = begin; i < end; ++i) {
    const int64_t numel = tensors[i].numel();
    tensors[i].copy_(flat[0].narrow(0, offset, numel).view_as(tensors[i]));
    offset += numel;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int> ReduceInPlace(const World& world, const std::vector<torch::Tensor>& tensors,
                                  Reduction reduction, int64_t bucket_bytes,
                                  absl::string_view what) {
  if (world.world_size() == 1 || tensors.empty()) return 0;
  torch::NoGradGuard no_grad;
  // [begin, end) of each bucket, decided before any is sent, so that errors
  // can say "bucket 2 of 3".
  std::vector<std::pair<size_t, size_t>> buckets;
  size_t begin = 0;
  int64_t bytes = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const int64_t size = tensors[i].numel() * static_cast<int64_t>(tensors[i].element_size());
    const bool same_kind =
        i == begin || (tensors[i].scalar_type() == tensors[begin].scalar_type() &&
                       tensors[i].device() == tensors[begin].device());
    if (i > begin && (!same_kind || bytes + size > bucket_bytes)) {
      buckets.emplace_back(begin, i);
      begin = i;
      bytes = 0;
    }
    bytes += size;
  }
  buckets.emplace_back(begin, tensors.size());
  for (size_t b = 0; b < buckets.size(); ++b) {
    MDENAS_RETURN_IF_ERROR(ReduceBucket(
        world, tensors, buckets[b].first, buckets[b].second, reduction,
        absl::StrCat("all-reduce of ", what, " (bucket ", b + 1, " of ", buckets.size(), ")")));
  }
  return static_cast<int>(buckets.size());
}

absl::StatusOr<std::vector<int64_t>> AllReduceInt64s(const World& world,
                                                     const std::vector<int64_t>& values,
                                                     c10d::ReduceOp op, absl::string_view what) {
  return AllReduceValues(world, values, op, what);
}

absl::StatusOr<std::vector<double>> AllReduceDoubles(const World& world,
                                                     const std::vector<double>& values,
                                                     c10d::ReduceOp op, absl::string_view what) {
  return AllReduceValues(world, values, op, what);
}

absl::StatusOr<std::vector<std::vector<int64_t>>> AllGatherInt64s(
    const World& world, const std::vector<int64_t>& values, absl::string_view what) {
  if (world.world_size() == 1) return std::vector<std::vector<int64_t>>{values};
  std::vector<torch::Tensor> input = {torch::tensor(values, torch::kInt64).to(world.device())};
  std::vector<std::vector<torch::Tensor>> output(1);
  for (int rank = 0; rank < world.world_size(); ++rank) {
    output[0].push_back(torch::empty_like(input[0]));
  }
  MDENAS_RETURN_IF_ERROR(RunCollective(
      world, absl::StrCat("all-gather of ", what),
      [&input, &output](CollectiveGroup& group) { return group.allgather(output, input); }));
  std::vector<std::vector<int64_t>> gathered;
  for (const torch::Tensor& tensor : output[0]) gathered.push_back(Values<int64_t>(tensor));
  return gathered;
}

}  // namespace mdenas
