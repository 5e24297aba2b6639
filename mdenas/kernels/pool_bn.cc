#include "mdenas/kernels/pool_bn.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mdenas/kernels/pixel_matrix_ops.h"
#include "mdenas/kernels/pool_bn_passes.h"

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
    const PoolBatchNormForwardResult result = PoolBatchNormForward(
        AsPixelMatrix(input), {kind, stride, bn}, BatchNormOutput::kApplied);
    const PoolBatchNormSaved& saved = result.saved;
    ctx->saved_data["kind"] = static_cast<int64_t>(kind);
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["bn"] = bn.has_value();
    if (!bn) {
      ctx->save_for_backward({saved.input.tensor});
      return result.output.tensor;
    }
    ctx->save_for_backward(
        {saved.input.tensor, saved.pooled.tensor, saved.bn.mean, saved.bn.invstd, bn->weight});
    ctx->saved_data["training"] = saved.bn.training;
    ctx->saved_data["reads_output"] = saved.bn.reads_output;
    return result.output.tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    PoolBatchNormUnit unit;
    unit.kind = static_cast<PoolKind>(ctx->saved_data["kind"].toInt());
    unit.stride = ctx->saved_data["stride"].toInt();
    PoolBatchNormSaved forward;
    forward.input = AsPixelMatrix(saved[0]);
    if (ctx->saved_data["bn"].toBool()) {
      unit.bn = BatchNormArgs();
      unit.bn->weight = saved[4];
      forward.pooled = AsPixelMatrix(saved[1]);
      forward.bn = {saved[2], saved[3], ctx->saved_data["training"].toBool(),
                    ctx->saved_data["reads_output"].toBool()};
    }
    const PixelMatrix& x = forward.input;
    const GradientTarget grad_input = {
        EmptyPixelMatrix(x.batch(), x.channels(), x.height(), x.width(), x.tensor.options()),
        PixelMatrix()};
    const PoolBatchNormGradients g =
        PoolBatchNormBackward(unit, forward, AsPixelMatrix(grads[0]), grad_input);
    return {grad_input.into.tensor, g.bn_weight, g.bn_bias, at::Tensor(), at::Tensor(),
            at::Tensor()};
  }
};

}  // namespace

at::Tensor Pool3x3BatchNorm(const at::Tensor& input, PoolKind kind,
                            int64_t stride,
                            const std::optional<BatchNormArgs>& bn,
                            Kernels kernels) {
  if (RunsCpuKernels(kernels, input)) {
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
