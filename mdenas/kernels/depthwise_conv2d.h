// Depthwise 2-D convolution (one k x k filter per channel, no bias): the
// first half of sep_conv and dil_conv, the middle of the mobile space's
// inverted-residual blocks. The reference is ATen's grouped
// convolution; the fast kernel computes forward and both gradients in
// channels-last layout, where every window tap is one vector load for any
// stride and dilation: on the CPU (float and double; the windows of the
// search spaces, cpu_kernels.h), or on a CUDA device (float32, kernels 3
// and 5: cuda_depthwise.h). Other windows run on ATen's.

#ifndef MDENAS_KERNELS_DEPTHWISE_CONV2D_H_
#define MDENAS_KERNELS_DEPTHWISE_CONV2D_H_

#include <cstdint>

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include "mdenas/kernels/kernels.h"

namespace mdenas {

struct DepthwiseConv2dOptions {
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(int64_t, padding) = 0;
  TORCH_ARG(int64_t, dilation) = 1;
};

// `input` [N, C, H, W] convolved with `weight` [C, 1, k, k]; differentiable
// in both.
at::Tensor DepthwiseConv2d(const at::Tensor& input, const at::Tensor& weight,
                           const DepthwiseConv2dOptions& options,
                           Kernels kernels);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_DEPTHWISE_CONV2D_H_
