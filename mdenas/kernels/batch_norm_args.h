// A BatchNorm2d as the cell kernels take it: its tensors and settings.

#ifndef MDENAS_KERNELS_BATCH_NORM_ARGS_H_
#define MDENAS_KERNELS_BATCH_NORM_ARGS_H_

#include <ATen/core/Tensor.h>

namespace torch {
namespace nn {
class BatchNorm2dImpl;
}  // namespace nn
}  // namespace torch

namespace mdenas {

struct BatchNormArgs {
  // Scale and shift [C]; undefined without affine parameters.
  at::Tensor weight;
  at::Tensor bias;
  // Updated in place in training mode, used in evaluation mode.
  at::Tensor running_mean;
  at::Tensor running_var;
  // Incremented once per training-mode call.
  at::Tensor num_batches_tracked;
  double momentum = 0.1;
  double eps = 1e-5;
  // Batch statistics (true) or the running ones.
  bool training = true;
};

// The arguments that make a kernel compute what `bn`'s forward computes.
// `bn` must track running statistics with a fixed momentum.
BatchNormArgs BatchNormArgsOf(torch::nn::BatchNorm2dImpl& bn);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_BATCH_NORM_ARGS_H_
