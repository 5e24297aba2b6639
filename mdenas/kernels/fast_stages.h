// The steps the fast cell kernels are composed of, each a typed call of a
// CPU kernel (cpu_kernels.h) on pixel matrices: depthwise convolution,
// 1x1 convolution, batch normalisation, pooling, strided gathers, forward
// and backward. The autograd functions of depthwise_conv2d.cc, conv_bn.cc,
// pool_bn.cc and batch_norm.cc string them together. Internal to the
// kernels; float and double.

#ifndef MDENAS_KERNELS_FAST_STAGES_H_
#define MDENAS_KERNELS_FAST_STAGES_H_

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/batch_norm_args.h"
#include "mdenas/kernels/cpu_kernels.h"
#include "mdenas/kernels/pixel_matrix.h"

namespace mdenas {

// An optional autograd-function argument: absent when `t` is undefined
// (affine-free BatchNorm parameters), so autograd tracks no input for it.
inline c10::optional<at::Tensor> IfDefined(const at::Tensor& t) {
  return t.defined() ? c10::optional<at::Tensor>(t) : c10::nullopt;
}

// The window of a depthwise convolution of `input` by `weight` [C, 1, k, k],
// or of a k x k pooling (weight undefined).
WindowGeometry WindowOf(const PixelMatrix& input, int64_t kernel,
                        int64_t stride, int64_t padding, int64_t dilation);

// [C, 1, k, k] -> [k * k, C], the layout of the depthwise kernels.
at::Tensor PackDepthwiseWeight(const at::Tensor& weight);

PixelMatrix DepthwiseForward(const PixelMatrix& input, bool relu_input,
                             const at::Tensor& packed_weight,
                             const WindowGeometry& g);
// `relu_input`, when given, is the input ReLU was applied to in forward.
PixelMatrix DepthwiseBackwardInput(const PixelMatrix& grad_output,
                                   const at::Tensor& packed_weight,
                                   const PixelMatrix* relu_input,
                                   const WindowGeometry& g);
// The weight gradient in the weight's own layout [C, 1, k, k].
at::Tensor DepthwiseBackwardWeight(const PixelMatrix& grad_output,
                                   const PixelMatrix& input, bool relu_input,
                                   const WindowGeometry& g);

// output[:, first_channel : first_channel + C_out] = 1x1 convolution of
// `input` by `weight` [C_out, C_in, 1, 1].
void Conv1x1Forward(const PixelMatrix& input, const at::Tensor& weight,
                    const PixelMatrix& output, int64_t first_channel);
// Gradients of Conv1x1Forward from channels [first_channel, + C_out) of
// `grad_output`.
PixelMatrix Conv1x1BackwardInput(const PixelMatrix& grad_output,
                                 int64_t first_channel,
                                 const at::Tensor& weight);
at::Tensor Conv1x1BackwardWeight(const PixelMatrix& grad_output,
                                 int64_t first_channel,
                                 const PixelMatrix& input,
                                 const at::Tensor& weight);

// What the batch-norm gradient needs from the forward pass: [C] tensors of
// the input's dtype.
struct BatchNormSaved {
  at::Tensor mean;
  at::Tensor invstd;
  bool training = true;
};

// output = BN(input) as `bn` says; updates the running statistics in
// training mode.
BatchNormSaved BatchNormForward(const PixelMatrix& input,
                                const BatchNormArgs& bn,
                                const PixelMatrix& output);

struct BatchNormGradients {
  PixelMatrix input;
  // Undefined without affine parameters.
  at::Tensor weight;
  at::Tensor bias;
};

// `weight` is bn.weight (undefined without affine parameters).
BatchNormGradients BatchNormBackward(const PixelMatrix& grad_output,
                                     const PixelMatrix& input,
                                     const BatchNormSaved& saved,
                                     const at::Tensor& weight);

PixelMatrix PoolForward(PoolKind kind, const PixelMatrix& input,
                        const WindowGeometry& g);
PixelMatrix PoolBackward(PoolKind kind, const PixelMatrix& input,
                         const PixelMatrix& grad_output,
                         const WindowGeometry& g);

// ReLU of the pixels (i * stride + offset, j * stride + offset) inside the
// input.
PixelMatrix GatherRelu(const PixelMatrix& input, int64_t stride,
                       int64_t offset);
// Writes the gradient of GatherRelu into the gathered pixels of grad_input.
void ScatterReluGradient(const PixelMatrix& grad_output,
                         const PixelMatrix& input, int64_t stride,
                         int64_t offset, const PixelMatrix& grad_input);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_FAST_STAGES_H_
