#include "mdenas/space/nb201/operations.h"

#include <torch/torch.h>

#include "mdenas/nn/layers.h"
#include "mdenas/space/nb201/cell.h"

namespace mdenas {
namespace {

torch::nn::BatchNorm2d BatchNorm(int64_t channels, Nb201BatchNorm batch_norm) {
  return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels)
                                    .affine(batch_norm != Nb201BatchNorm::kBatchStatistics)
                                    .track_running_stats(batch_norm == Nb201BatchNorm::kAffine));
}

// ReLU, a bias-free convolution (padding kernel / 2), BatchNorm.
torch::nn::Sequential ReLUConvBNLayers(int64_t in_channels, int64_t out_channels, int64_t kernel,
                                       int64_t stride, Nb201BatchNorm batch_norm) {
  return torch::nn::Sequential(torch::nn::ReLU(),
                               Conv(in_channels, out_channels, kernel, stride, kernel / 2),
                               BatchNorm(out_channels, batch_norm));
}

}  // namespace

Nb201ReLUConvBNImpl::Nb201ReLUConvBNImpl(int64_t in_channels, int64_t out_channels, int64_t kernel,
                                         int64_t stride, Nb201BatchNorm batch_norm)
    : op_(register_module(
          "op", ReLUConvBNLayers(in_channels, out_channels, kernel, stride, batch_norm))) {}

torch::Tensor Nb201ReLUConvBNImpl::forward(const torch::Tensor& input) {
  return op_->forward(input);
}

Nb201EdgeOperationImpl::Nb201EdgeOperationImpl(int op, int64_t channels, Nb201BatchNorm batch_norm)
    : op_(op) {
  TORCH_CHECK(op >= 0 && op < kNb201OperationCount, "no NAS-Bench-201 operation ", op);
  if (op == kNb201Conv1x1 || op == kNb201Conv3x3) {
    // Registered as `op`, so the edge's names are those of the benchmark's
    // ReLUConvBN on it.
    conv_ = register_module(
        "op", ReLUConvBNLayers(channels, channels, op == kNb201Conv1x1 ? 1 : 3, 1, batch_norm));
  }
}

torch::Tensor Nb201EdgeOperationImpl::forward(const torch::Tensor& input) {
  switch (op_) {
    case kNb201None:
      return torch::zeros_like(input);
    case kNb201Skip:
      return input;
    case kNb201AvgPool:
      return torch::avg_pool2d(input, /*kernel_size=*/3, /*stride=*/1, /*padding=*/1,
                               /*ceil_mode=*/false, /*count_include_pad=*/false);
    default:
      return conv_->forward(input);
  }
}

bool Nb201EdgeOperationImpl::is_zero() const { return op_ == kNb201None; }

Nb201ResidualBlockImpl::Nb201ResidualBlockImpl(int64_t in_channels, int64_t out_channels,
                                               Nb201BatchNorm batch_norm)
    : conv_a_(
          register_module("conv_a", Nb201ReLUConvBN(in_channels, out_channels, 3, 2, batch_norm))),
      conv_b_(
          register_module("conv_b", Nb201ReLUConvBN(out_channels, out_channels, 3, 1, batch_norm))),
      downsample_(register_module(
          "downsample",
          torch::nn::Sequential(torch::nn::AvgPool2d(torch::nn::AvgPool2dOptions(2).stride(2)),
                                Conv(in_channels, out_channels, 1)))) {}

torch::Tensor Nb201ResidualBlockImpl::forward(const torch::Tensor& input) {
  return conv_b_->forward(conv_a_->forward(input)) + downsample_->forward(input);
}

std::vector<Nb201Layer> Nb201Layers(int64_t channels, int64_t cells_per_stage) {
  std::vector<Nb201Layer> layers;
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) layers.push_back({true, channels << stage});
    for (int64_t i = 0; i < cells_per_stage; ++i) layers.push_back({false, channels << stage});
  }
  return layers;
}

torch::nn::Sequential Nb201Stem(int64_t image_channels, int64_t channels,
                                Nb201BatchNorm batch_norm) {
  return torch::nn::Sequential(Conv(image_channels, channels, 3, 1, 1),
                               BatchNorm(channels, batch_norm));
}

torch::nn::Sequential Nb201LastActivation(int64_t channels, Nb201BatchNorm batch_norm) {
  return torch::nn::Sequential(BatchNorm(channels, batch_norm), torch::nn::ReLU());
}

torch::Tensor Nb201CellOutput(
    const torch::Tensor& input,
    const std::function<torch::Tensor(int edge, const torch::Tensor& state)>& edge_output) {
  std::vector<torch::Tensor> nodes = {input};
  int edge = 0;
  for (int node = 1; node < kNb201Nodes; ++node) {
    torch::Tensor sum;
    for (int source = 0; source < node; ++source, ++edge) {
      torch::Tensor out = edge_output(edge, nodes[source]);
      if (out.defined()) sum = sum.defined() ? sum + out : out;
    }
    nodes.push_back(sum.defined() ? sum : torch::zeros_like(input));
  }
  return nodes.back();
}

}  // namespace mdenas
