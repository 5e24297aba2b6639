#include "mdenas/kernels/conv_bn.h"

#include <vector>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mdenas/kernels/fast_stages.h"

namespace mdenas {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// What feeds the 1x1 convolutions: a depthwise convolution of ReLU(input)
// (one 1x1 convolution follows), or else, for 1x1 convolution b, ReLU of
// the input pixels (i * stride + b, j * stride + b).
struct FrontEnd {
  bool depthwise = false;
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
};

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
    const PixelMatrix x = AsPixelMatrix(input);
    std::vector<PixelMatrix> features;
    if (front.depthwise) {
      const WindowGeometry g =
          WindowOf(x, front.kernel, front.stride, front.padding, front.dilation);
      features.push_back(DepthwiseForward(x, /*relu_input=*/true,
                                          PackDepthwiseWeight(*depthwise_weight), g));
    } else {
      for (size_t b = 0; b < pointwise_weights.size(); ++b) {
        features.push_back(GatherRelu(x, front.stride, static_cast<int64_t>(b)));
        TORCH_CHECK(features[b].height() == features[0].height() &&
                        features[b].width() == features[0].width(),
                    "the shifted 1x1 convolutions of a ", x.height(), "x",
                    x.width(), " input differ in size");
      }
    }
    int64_t channels = 0;
    for (const at::Tensor& w : pointwise_weights) channels += w.size(0);
    const PixelMatrix& f0 = features[0];
    const PixelMatrix conv = EmptyPixelMatrix(f0.batch(), channels, f0.height(),
                                              f0.width(), input.options());
    for (size_t b = 0, first = 0; b < pointwise_weights.size(); ++b) {
      Conv1x1Forward(features[b], pointwise_weights[b], conv, first);
      first += pointwise_weights[b].size(0);
    }
    const PixelMatrix output = EmptyPixelMatrix(f0.batch(), channels, f0.height(),
                                                f0.width(), input.options());
    const BatchNormSaved saved = BatchNormForward(conv, bn, output);

    variable_list to_save = {x.tensor, depthwise_weight.value_or(at::Tensor()),
                             conv.tensor, saved.mean, saved.invstd, bn.weight};
    for (const PixelMatrix& f : features) to_save.push_back(f.tensor);
    for (const at::Tensor& w : pointwise_weights) to_save.push_back(w);
    ctx->save_for_backward(std::move(to_save));
    ctx->saved_data["branches"] = static_cast<int64_t>(pointwise_weights.size());
    ctx->saved_data["training"] = saved.training;
    ctx->saved_data["depthwise"] = front.depthwise;
    ctx->saved_data["window"] =
        std::vector<int64_t>{front.kernel, front.stride, front.padding, front.dilation};
    return output.tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const PixelMatrix x = AsPixelMatrix(saved[0]);
    const at::Tensor& depthwise_weight = saved[1];
    const PixelMatrix conv = AsPixelMatrix(saved[2]);
    const int64_t branches = ctx->saved_data["branches"].toInt();
    const std::vector<int64_t> window = ctx->saved_data["window"].toIntVector();
    FrontEnd front;
    front.depthwise = ctx->saved_data["depthwise"].toBool();
    front.kernel = window[0];
    front.stride = window[1];
    front.padding = window[2];
    front.dilation = window[3];

    const BatchNormGradients bn = BatchNormBackward(
        AsPixelMatrix(grads[0]), conv,
        {saved[3], saved[4], ctx->saved_data["training"].toBool()}, saved[5]);
    std::vector<at::Tensor> pointwise_grads;
    std::vector<PixelMatrix> feature_grads;
    for (int64_t b = 0, first = 0; b < branches; ++b) {
      const PixelMatrix feature = AsPixelMatrix(saved[6 + b]);
      const at::Tensor& weight = saved[6 + branches + b];
      pointwise_grads.push_back(Conv1x1BackwardWeight(bn.input, first, feature, weight));
      feature_grads.push_back(Conv1x1BackwardInput(bn.input, first, weight));
      first += weight.size(0);
    }

    at::Tensor grad_input, grad_depthwise;
    if (front.depthwise) {
      const WindowGeometry g =
          WindowOf(x, front.kernel, front.stride, front.padding, front.dilation);
      grad_depthwise = DepthwiseBackwardWeight(feature_grads[0], x, /*relu_input=*/true, g);
      grad_input = DepthwiseBackwardInput(feature_grads[0],
                                          PackDepthwiseWeight(depthwise_weight), &x, g)
                       .tensor;
    } else {
      const PixelMatrix grad = EmptyPixelMatrix(x.batch(), x.channels(), x.height(),
                                                x.width(), x.tensor.options());
      // The gathers write every pixel only when they are dense.
      if (branches > 1 || front.stride > 1) grad.tensor.zero_();
      for (int64_t b = 0; b < branches; ++b) {
        ScatterReluGradient(feature_grads[b], x, front.stride, b, grad);
      }
      grad_input = grad.tensor;
    }

    variable_list result = {grad_input, grad_depthwise};
    result.insert(result.end(), pointwise_grads.begin(), pointwise_grads.end());
    result.insert(result.end(), {bn.weight, bn.bias, at::Tensor(), at::Tensor()});
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
  if (kernels == Kernels::kFast) {
    FrontEnd front;
    front.depthwise = true;
    front.kernel = depthwise_weight.size(2);
    front.stride = depthwise.stride();
    front.padding = depthwise.padding();
    front.dilation = depthwise.dilation();
    return Fast(input, depthwise_weight, {pointwise_weight}, front, bn);
  }
  const at::Tensor hidden =
      DepthwiseConv2d(at::relu(input), depthwise_weight, depthwise, Kernels::kAten);
  return BatchNorm2d(at::conv2d(hidden, pointwise_weight), bn, Kernels::kAten);
}

at::Tensor ReluConv1x1BatchNorm(const at::Tensor& input,
                                const at::Tensor& weight, int64_t stride,
                                const BatchNormArgs& bn, Kernels kernels) {
  if (kernels == Kernels::kFast) {
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
  if (kernels == Kernels::kFast) {
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
