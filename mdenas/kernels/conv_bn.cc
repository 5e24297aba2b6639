#include "mdenas/kernels/conv_bn.h"

#include <vector>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mdenas/kernels/conv_bn_passes.h"
#include "mdenas/kernels/pixel_matrix_ops.h"

namespace mdenas {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// One autograd node for ReLU -> front end -> 1x1 convolutions (their
// outputs concatenated) -> BatchNorm.
class FastReluConvBatchNorm : public torch::autograd::Function<FastReluConvBatchNorm> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input,
                            const c10::optional<at::Tensor>& depthwise_weight,
                            at::TensorList pointwise_weights,
                            const c10::optional<at::Tensor>& /*bn_weight*/,
                            const c10::optional<at::Tensor>& /*bn_bias*/,
                            const FrontEnd& front, const BatchNormArgs& bn) {
    const ConvBatchNormUnit unit = {front, depthwise_weight.value_or(at::Tensor()),
                                    pointwise_weights.vec(), bn};
    const ConvBatchNormForwardResult result =
        ConvBatchNormForward(AsPixelMatrix(input), unit, BatchNormOutput::kApplied);
    const ConvBatchNormSaved& saved = result.saved;
    variable_list to_save = {saved.input.tensor, unit.depthwise_weight, saved.conv.tensor,
                             saved.bn.mean,      saved.bn.invstd,       bn.weight};
    for (const at::Tensor& w : pointwise_weights) to_save.push_back(w);
    ctx->save_for_backward(std::move(to_save));
    ctx->saved_data["training"] = saved.bn.training;
    ctx->saved_data["reads_output"] = saved.bn.reads_output;
    ctx->saved_data["depthwise"] = front.depthwise;
    ctx->saved_data["window"] =
        std::vector<int64_t>{front.kernel, front.stride, front.padding, front.dilation};
    return result.output.tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const std::vector<int64_t> window = ctx->saved_data["window"].toIntVector();
    ConvBatchNormUnit unit;
    unit.front.depthwise = ctx->saved_data["depthwise"].toBool();
    unit.front.kernel = window[0];
    unit.front.stride = window[1];
    unit.front.padding = window[2];
    unit.front.dilation = window[3];
    unit.depthwise_weight = saved[1];
    unit.pointwise_weights.assign(saved.begin() + 6, saved.end());
    unit.bn.weight = saved[5];
    const PixelMatrix x = AsPixelMatrix(saved[0]);
    const ConvBatchNormSaved forward = {
        x, AsPixelMatrix(saved[2]),
        {saved[3], saved[4], ctx->saved_data["training"].toBool(),
         ctx->saved_data["reads_output"].toBool()}};
    const GradientTarget grad_input = {
        EmptyPixelMatrix(x.batch(), x.channels(), x.height(), x.width(), x.tensor.options()),
        PixelMatrix()};
    const ConvBatchNormGradients g =
        ConvBatchNormBackward(unit, forward, AsPixelMatrix(grads[0]), grad_input);

    variable_list result = {grad_input.into.tensor, g.depthwise_weight};
    result.insert(result.end(), g.pointwise_weights.begin(), g.pointwise_weights.end());
    result.insert(result.end(), {g.bn_weight, g.bn_bias, at::Tensor(), at::Tensor()});
    return result;
  }
};

at::Tensor Fast(const at::Tensor& input, const at::Tensor& depthwise_weight,
                at::TensorList pointwise_weights, const FrontEnd& front,
                const BatchNormArgs& bn) {
  return FastReluConvBatchNorm::apply(input, IfDefined(depthwise_weight),
                                      pointwise_weights, IfDefined(bn.weight),
                                      IfDefined(bn.bias), front, bn);
}

}  // namespace

at::Tensor ReluSepConvBatchNorm(const at::Tensor& input,
                                const at::Tensor& depthwise_weight,
                                const DepthwiseConv2dOptions& depthwise,
                                const at::Tensor& pointwise_weight,
                                const BatchNormArgs& bn, Kernels kernels) {
  if (RunsCpuKernels(kernels, input)) {
    FrontEnd front;
    front.depthwise = true;
    front.kernel = depthwise_weight.size(2);
    front.stride = depthwise.stride();
    front.padding = depthwise.padding();
    front.dilation = depthwise.dilation();
    return Fast(input, depthwise_weight, {pointwise_weight}, front, bn);
  }
  // ATen's operators, but on CUDA with the fast kernels the depthwise
  // convolution's own.
  const at::Tensor hidden =
      DepthwiseConv2d(at::relu(input), depthwise_weight, depthwise, kernels);
  return BatchNorm2d(at::conv2d(hidden, pointwise_weight), bn, Kernels::kAten);
}

at::Tensor ReluConv1x1BatchNorm(const at::Tensor& input,
                                const at::Tensor& weight, int64_t stride,
                                const BatchNormArgs& bn, Kernels kernels) {
  if (RunsCpuKernels(kernels, input)) {
    FrontEnd front;
    front.stride = stride;
    return Fast(input, at::Tensor(), {weight}, front, bn);
  }
  return BatchNorm2d(at::conv2d(at::relu(input), weight, {}, stride), bn,
                     Kernels::kAten);
}

at::Tensor FactorizedReduceBatchNorm(const at::Tensor& input,
                                     const at::Tensor& weight0,
                                     const at::Tensor& weight1,
                                     const BatchNormArgs& bn, Kernels kernels) {
  if (RunsCpuKernels(kernels, input)) {
    FrontEnd front;
    front.stride = 2;
    return Fast(input, at::Tensor(), {weight0, weight1}, front, bn);
  }
  const at::Tensor x = at::relu(input);
  const at::Tensor shifted = x.slice(2, 1).slice(3, 1);
  return BatchNorm2d(
      at::cat({at::conv2d(x, weight0, {}, 2), at::conv2d(shifted, weight1, {}, 2)}, 1),
      bn, Kernels::kAten);
}

}  // namespace mdenas
