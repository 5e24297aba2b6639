#include "mdenas/kernels/batch_norm.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mdenas/kernels/pixel_matrix_ops.h"

namespace mdenas {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;


class FastBatchNorm : public torch::autograd::Function<FastBatchNorm> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input,
                            const c10::optional<at::Tensor>& weight,
                            const c10::optional<at::Tensor>& bias,
                            const BatchNormArgs& bn) {
    const PixelMatrix x = AsPixelMatrix(input);
    const PixelMatrix y =
        EmptyPixelMatrix(x.batch(), x.channels(), x.height(), x.width(), input.options());
    const BatchNormSaved saved = BatchNormForward(x, bn, y);
    ctx->save_for_backward({x.tensor, saved.mean, saved.invstd, bn.weight});
    ctx->saved_data["training"] = saved.training;
    return y.tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const PixelMatrix x = AsPixelMatrix(saved[0]);
    const BatchNormGradients g =
        BatchNormBackward(AsPixelMatrix(grads[0]), x,
                          {saved[1], saved[2], ctx->saved_data["training"].toBool()},
                          saved[3]);
    return {g.input.tensor, g.weight, g.bias, at::Tensor()};
  }
};

}  // namespace

at::Tensor BatchNorm2d(const at::Tensor& input, const BatchNormArgs& bn,
                       Kernels kernels) {
  if (RunsCpuKernels(kernels, input)) {
    return FastBatchNorm::apply(input, IfDefined(bn.weight), IfDefined(bn.bias), bn);
  }
  if (bn.training) {
    c10::NoGradGuard no_grad;
    bn.num_batches_tracked.add_(1);
  }
  return at::batch_norm(input, bn.weight, bn.bias, bn.running_mean,
                        bn.running_var, bn.training, bn.momentum, bn.eps,
                        at::globalContext().userEnabledCuDNN());
}

}  // namespace mdenas
