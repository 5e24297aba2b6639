#include "mdenas/kernels/batch_norm.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mdenas/kernels/pixel_matrix_ops.h"

namespace mdenas {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// BatchNorm, then `activation`. Backward first takes the output's gradient
// back through the activation (ATen's hardtanh_backward on the clamped
// output: zero where it is 0 or 6, as where ReLU6's input was outside
// (0, 6)), then through the BatchNorm.
class FastBatchNorm : public torch::autograd::Function<FastBatchNorm> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input,
                            const c10::optional<at::Tensor>& weight,
                            const c10::optional<at::Tensor>& bias, const BatchNormArgs& bn,
                            BatchNormActivation activation) {
    const PixelMatrix x = AsPixelMatrix(input);
    const PixelMatrix y =
        EmptyPixelMatrix(x.batch(), x.channels(), x.height(), x.width(), input.options());
    const BatchNormSaved saved = BatchNormForward(x, bn, activation, y);
    const bool relu6 = activation == BatchNormActivation::kRelu6;
    ctx->save_for_backward(
        {x.tensor, saved.mean, saved.invstd, bn.weight, relu6 ? y.tensor : at::Tensor()});
    ctx->saved_data["training"] = saved.training;
    return y.tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const PixelMatrix x = AsPixelMatrix(saved[0]);
    const at::Tensor& relu6_output = saved[4];
    const at::Tensor grad =
        relu6_output.defined() ? at::hardtanh_backward(grads[0], relu6_output, 0, 6) : grads[0];
    const BatchNormGradients g =
        BatchNormBackward(AsPixelMatrix(grad), x,
                          {saved[1], saved[2], ctx->saved_data["training"].toBool()}, saved[3]);
    return {g.input.tensor, g.weight, g.bias, at::Tensor(), at::Tensor()};
  }
};

at::Tensor BatchNormThen(const at::Tensor& input, const BatchNormArgs& bn, Kernels kernels,
                         BatchNormActivation activation) {
  if (RunsCpuKernels(kernels, input)) {
    return FastBatchNorm::apply(input, IfDefined(bn.weight), IfDefined(bn.bias), bn, activation);
  }
  if (bn.training) {
    c10::NoGradGuard no_grad;
    bn.num_batches_tracked.add_(1);
  }
  const at::Tensor y =
      at::batch_norm(input, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.training,
                     bn.momentum, bn.eps, at::globalContext().userEnabledCuDNN());
  return activation == BatchNormActivation::kRelu6 ? at::hardtanh(y, 0, 6) : y;
}

}  // namespace

at::Tensor BatchNorm2d(const at::Tensor& input, const BatchNormArgs& bn, Kernels kernels) {
  return BatchNormThen(input, bn, kernels, BatchNormActivation::kNone);
}

at::Tensor BatchNorm2dRelu6(const at::Tensor& input, const BatchNormArgs& bn, Kernels kernels) {
  return BatchNormThen(input, bn, kernels, BatchNormActivation::kRelu6);
}

}  // namespace mdenas
