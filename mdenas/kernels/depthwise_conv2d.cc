#include "mdenas/kernels/depthwise_conv2d.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mdenas/kernels/cpu_kernels.h"
#include "mdenas/kernels/cuda_depthwise_conv2d.h"
#include "mdenas/kernels/pixel_matrix_ops.h"

namespace mdenas {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

class FastDepthwiseConv2d : public torch::autograd::Function<FastDepthwiseConv2d> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input,
                            const at::Tensor& weight,
                            const DepthwiseConv2dOptions& options) {
    ctx->saved_data["stride"] = options.stride();
    ctx->saved_data["padding"] = options.padding();
    ctx->saved_data["dilation"] = options.dilation();
    if (input.is_cuda()) {
      ctx->save_for_backward({input, weight});
      return CudaDepthwiseConv2dForward(input, weight, options);
    }
    const PixelMatrix x = AsPixelMatrix(input);
    const WindowGeometry g = WindowOf(x, weight.size(2), options.stride(),
                                      options.padding(), options.dilation());
    ctx->save_for_backward({x.tensor, weight});
    return DepthwiseForward(x, PackDepthwiseWeight(weight), g).tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor& weight = saved[1];
    const DepthwiseConv2dOptions options = DepthwiseConv2dOptions()
                                               .stride(ctx->saved_data["stride"].toInt())
                                               .padding(ctx->saved_data["padding"].toInt())
                                               .dilation(ctx->saved_data["dilation"].toInt());
    if (saved[0].is_cuda()) {
      auto [grad_input, grad_weight] =
          CudaDepthwiseConv2dBackward(grads[0], saved[0], weight, options);
      return {grad_input, grad_weight, at::Tensor()};
    }
    const PixelMatrix x = AsPixelMatrix(saved[0]);
    const WindowGeometry g = WindowOf(x, weight.size(2), options.stride(), options.padding(),
                                      options.dilation());
    const PixelMatrix grad = AsPixelMatrix(grads[0]);
    return {DepthwiseBackwardInput(grad, PackDepthwiseWeight(weight), g).tensor,
            DepthwiseBackwardWeight(grad, x, g), at::Tensor()};
  }
};

}  // namespace

at::Tensor DepthwiseConv2d(const at::Tensor& input, const at::Tensor& weight,
                           const DepthwiseConv2dOptions& options,
                           Kernels kernels) {
  TORCH_CHECK(weight.dim() == 4 && weight.size(0) == input.size(1) &&
                  weight.size(1) == 1,
              "a depthwise weight for ", input.size(1), " channels is [",
              input.size(1), ", 1, k, k], got ", weight.sizes());
  // Windows the fast kernels do not hold run on ATen: on the CPU those
  // outside DepthwiseKernelsTake(), on CUDA kernel sizes other than 3 and 5
  // (cuda_depthwise.h).
  const int64_t kernel = weight.size(2);
  const bool fast_here = input.is_cuda()
                             ? kernel == 3 || kernel == 5
                             : DepthwiseKernelsTake(kernel, options.stride(), options.dilation());
  if (kernels == Kernels::kFast && fast_here) {
    return FastDepthwiseConv2d::apply(input, weight, options);
  }
  return at::conv2d(input, weight, {}, options.stride(), options.padding(),
                    options.dilation(), input.size(1));
}

}  // namespace mdenas
