// With a CUDA libtorch (--config=cuda, the CMake build with MDENAS_CUDA);
// the other builds compile cuda_depthwise_conv2d_unavailable.cc.

#include "mdenas/kernels/cuda_depthwise_conv2d.h"

#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>

#include <string>

#include "mdenas/kernels/cuda_depthwise.h"
#include "mdenas/kernels/pixel_matrix_ops.h"

namespace mdenas {
namespace {

void Check(const std::string& error) {
  TORCH_CHECK(error.empty(), "CUDA depthwise convolution: ", error);
}

void* CurrentStream() { return at::cuda::getCurrentCUDAStream().stream(); }

// [C, 1, k, k] -> [k * k, C], the kernels' layout.
at::Tensor Packed(const at::Tensor& weight) {
  return weight.reshape({weight.size(0), -1}).t().contiguous();
}

PixelMatrix FloatPixelMatrix(const at::Tensor& tensor, const char* what) {
  TORCH_CHECK(tensor.scalar_type() == at::kFloat, "the CUDA depthwise kernels take float32; the ",
              what, " is ", tensor.scalar_type());
  return AsPixelMatrix(tensor);
}

at::Tensor EmptyChannelsLast(int64_t batch, int64_t channels, int64_t height, int64_t width,
                             const at::Tensor& like) {
  return at::empty({batch, channels, height, width},
                   like.options().memory_format(at::MemoryFormat::ChannelsLast));
}

}  // namespace

at::Tensor CudaDepthwiseConv2dForward(const at::Tensor& input, const at::Tensor& weight,
                                      const DepthwiseConv2dOptions& options) {
  const c10::cuda::CUDAGuard guard(input.device());
  const PixelMatrix x = FloatPixelMatrix(input, "input");
  const WindowGeometry g =
      WindowOf(x, weight.size(2), options.stride(), options.padding(), options.dilation());
  const at::Tensor packed = Packed(weight);
  at::Tensor output = EmptyChannelsLast(g.batch, g.channels, g.out_height(), g.out_width(), input);
  Check(CudaDepthwiseForward(g, x.data<float>(), x.ld, /*relu_input=*/false,
                             packed.data_ptr<float>(), output.data_ptr<float>(), g.channels,
                             CurrentStream()));
  return output;
}

std::pair<at::Tensor, at::Tensor> CudaDepthwiseConv2dBackward(
    const at::Tensor& grad_output, const at::Tensor& input, const at::Tensor& weight,
    const DepthwiseConv2dOptions& options) {
  const c10::cuda::CUDAGuard guard(input.device());
  const PixelMatrix x = FloatPixelMatrix(input, "input");
  const PixelMatrix grad = FloatPixelMatrix(grad_output, "gradient");
  const WindowGeometry g =
      WindowOf(x, weight.size(2), options.stride(), options.padding(), options.dilation());
  at::Tensor grad_input = EmptyChannelsLast(g.batch, g.channels, g.height, g.width, input);
  Check(CudaDepthwiseBackwardInput(g, grad.data<float>(), grad.ld, Packed(weight).data_ptr<float>(),
                                   /*relu_input=*/nullptr, 0, grad_input.data_ptr<float>(),
                                   g.channels, CurrentStream()));
  at::Tensor grad_packed = at::empty({g.kernel * g.kernel, g.channels}, weight.options());
  Check(CudaDepthwiseBackwardWeight(g, grad.data<float>(), grad.ld, x.data<float>(), x.ld,
                                    /*relu_input=*/false, grad_packed.data_ptr<float>(),
                                    CurrentStream()));
  return {grad_input, grad_packed.t().reshape({g.channels, 1, g.kernel, g.kernel})};
}

}  // namespace mdenas
