// The convolutions of the cell operations, fused with the ReLU before them
// and the BatchNorm after them: one autograd node per operation unit
// instead of four, no ReLU output or gradient tensors, and 1x1
// convolutions as matrix products on channels-last pixels. Backward keeps
// the input and the convolution's result (which the output overwrites
// where the BatchNorm has no affine parameters), and computes the
// depthwise output again.
//
//   ReluSepConvBatchNorm       ReLU, depthwise k x k, pointwise 1x1, BN
//                              (half a sep_conv; a dil_conv)
//   ReluConv1x1BatchNorm       ReLU, 1x1 convolution, BN (ReLUConvBN: the
//                              cells' input preprocessing)
//   FactorizedReduceBatchNorm  ReLU, two 1x1 stride-2 convolutions (the
//                              second on the input shifted by one pixel),
//                              concatenated, BN
//
// The ATen reference runs the same operators one by one, as the modules
// did before these kernels.

#ifndef MDENAS_KERNELS_CONV_BN_H_
#define MDENAS_KERNELS_CONV_BN_H_

#include <cstdint>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/batch_norm.h"
#include "mdenas/kernels/depthwise_conv2d.h"
#include "mdenas/kernels/kernels.h"

namespace mdenas {

// `depthwise_weight` [C_in, 1, k, k], `pointwise_weight` [C_out, C_in, 1, 1].
at::Tensor ReluSepConvBatchNorm(const at::Tensor& input,
                                const at::Tensor& depthwise_weight,
                                const DepthwiseConv2dOptions& depthwise,
                                const at::Tensor& pointwise_weight,
                                const BatchNormArgs& bn, Kernels kernels);

// `weight` [C_out, C_in, 1, 1], no padding.
at::Tensor ReluConv1x1BatchNorm(const at::Tensor& input,
                                const at::Tensor& weight, int64_t stride,
                                const BatchNormArgs& bn, Kernels kernels);

// `weight0` and `weight1` [C_out / 2, C_in, 1, 1]; the input's height and
// width must be even.
at::Tensor FactorizedReduceBatchNorm(const at::Tensor& input,
                                     const at::Tensor& weight0,
                                     const at::Tensor& weight1,
                                     const BatchNormArgs& bn, Kernels kernels);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CONV_BN_H_
