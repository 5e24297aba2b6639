#include "mdenas/kernels/pool_bn.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mdenas/kernels/fast_stages.h"

namespace mdenas {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

class FastPoolBatchNorm : public torch::autograd::Function<FastPoolBatchNorm> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input,
                            const c10::optional<at::Tensor>& /*bn_weight*/,
                            const c10::optional<at::Tensor>& /*bn_bias*/,
                            PoolKind kind, int64_t stride,
                            const std::optional<BatchNormArgs>& bn) {
    const PixelMatrix x = AsPixelMatrix(input);
    const PixelMatrix pooled = PoolForward(kind, x, WindowOf(x, 3, stride, 1, 1));
    ctx->saved_data["kind"] = static_cast<int64_t>(kind);
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["bn"] = bn.has_value();
    if (!bn) {
      ctx->save_for_backward({x.tensor});
      return pooled.tensor;
    }
    const PixelMatrix output = EmptyPixelMatrix(
        pooled.batch(), pooled.channels(), pooled.height(), pooled.width(), input.options());
    const BatchNormSaved saved = BatchNormForward(pooled, *bn, output);
    ctx->save_for_backward({x.tensor, pooled.tensor, saved.mean, saved.invstd, bn->weight});
    ctx->saved_data["training"] = saved.training;
    return output.tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const PixelMatrix x = AsPixelMatrix(saved[0]);
    const auto kind = static_cast<PoolKind>(ctx->saved_data["kind"].toInt());
    const WindowGeometry g = WindowOf(x, 3, ctx->saved_data["stride"].toInt(), 1, 1);
    PixelMatrix grad = AsPixelMatrix(grads[0]);
    at::Tensor grad_weight, grad_bias;
    if (ctx->saved_data["bn"].toBool()) {
      BatchNormGradients bn = BatchNormBackward(
          grad, AsPixelMatrix(saved[1]),
          {saved[2], saved[3], ctx->saved_data["training"].toBool()}, saved[4]);
      grad = bn.input;
      grad_weight = bn.weight;
      grad_bias = bn.bias;
    }
    return {PoolBackward(kind, x, grad, g).tensor, grad_weight, grad_bias,
            at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor Pool3x3BatchNorm(const at::Tensor& input, PoolKind kind,
                            int64_t stride,
                            const std::optional<BatchNormArgs>& bn,
                            Kernels kernels) {
  if (kernels == Kernels::kFast) {
    return FastPoolBatchNorm::apply(input, bn ? IfDefined(bn->weight) : c10::nullopt,
                                    bn ? IfDefined(bn->bias) : c10::nullopt, kind,
                                    stride, bn);
  }
  const at::Tensor pooled =
      kind == PoolKind::kMax
          ? at::max_pool2d(input, {3, 3}, {stride, stride}, {1, 1})
          : at::avg_pool2d(input, {3, 3}, {stride, stride}, {1, 1},
                           /*ceil_mode=*/false, /*count_include_pad=*/false);
  return bn ? BatchNorm2d(pooled, *bn, Kernels::kAten) : pooled;
}

}  // namespace mdenas
