// Where libtorch has no CUDA (Debian's 1.13): a CUDA tensor cannot reach
// these, but if one did, it would say why. A CUDA libtorch compiles
// cuda_depthwise_conv2d.cc instead.

#include <c10/util/Exception.h>

#include "mdenas/kernels/cuda_depthwise_conv2d.h"

namespace mdenas {
namespace {

constexpr char kNoCuda[] =
    "the CUDA depthwise kernels need a CUDA libtorch: build with --config=cuda";

}  // namespace

at::Tensor CudaDepthwiseConv2dForward(const at::Tensor&, const at::Tensor&,
                                      const DepthwiseConv2dOptions&) {
  TORCH_CHECK(false, kNoCuda);
}

std::pair<at::Tensor, at::Tensor> CudaDepthwiseConv2dBackward(const at::Tensor&, const at::Tensor&,
                                                              const at::Tensor&,
                                                              const DepthwiseConv2dOptions&) {
  TORCH_CHECK(false, kNoCuda);
}

}  // namespace mdenas
