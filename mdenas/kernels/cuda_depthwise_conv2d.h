// DepthwiseConv2d's fast kernels on CUDA tensors: cuda_depthwise.h's
// kernels, on the current stream, in channels-last layout. Internal to
// depthwise_conv2d.cc. Where libtorch has no CUDA (Debian's), each fails
// saying so.

#ifndef MDENAS_KERNELS_CUDA_DEPTHWISE_CONV2D_H_
#define MDENAS_KERNELS_CUDA_DEPTHWISE_CONV2D_H_

#include <ATen/core/Tensor.h>

#include <utility>

#include "mdenas/kernels/depthwise_conv2d.h"

namespace mdenas {

// `input` [N, C, H, W] (float32) convolved with `weight` [C, 1, k, k],
// channels-last.
at::Tensor CudaDepthwiseConv2dForward(const at::Tensor& input, const at::Tensor& weight,
                                      const DepthwiseConv2dOptions& options);

// The gradients of the input (channels-last) and of the weight.
std::pair<at::Tensor, at::Tensor> CudaDepthwiseConv2dBackward(
    const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
    const DepthwiseConv2dOptions& options);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CUDA_DEPTHWISE_CONV2D_H_
