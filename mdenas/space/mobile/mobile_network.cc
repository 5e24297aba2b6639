#include "mdenas/space/mobile/mobile_network.h"

#include <torch/torch.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mdenas/kernels/batch_norm.h"
#include "mdenas/kernels/batch_norm_args.h"
#include "mdenas/kernels/depthwise_conv2d.h"

namespace mdenas {
namespace {

// Below this size the skeleton keeps its early resolution (ForSmallImages).
constexpr int64_t kSmallImage = 64;

torch::nn::BatchNorm2d MobileBatchNorm(int64_t channels) {
  return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels).momentum(0.1).eps(1e-3));
}

MobileConv RegisterFirstConv(torch::nn::Module* network, const MobileSkeleton& skeleton,
                             const NetworkInputs& inputs) {
  return network->register_module("first_conv", MakeFirstConv(skeleton, inputs));
}

// Registered after the blocks, so that the state dict lists it last.
MobileHead RegisterHead(torch::nn::Module* network, const MobileSkeleton& skeleton,
                        const NetworkInputs& inputs) {
  MobileHead head = MakeHead(skeleton, inputs);
  network->register_module("feature_mix_layer", head.feature_mix);
  auto classifier = network->register_module("classifier", std::make_shared<torch::nn::Module>());
  classifier->register_module("linear", head.classifier);
  return head;
}

}  // namespace

MobileConv MakeFirstConv(const MobileSkeleton& skeleton, const NetworkInputs& inputs) {
  return MobileConv(inputs.channels, skeleton.first_conv_channels, 3, skeleton.first_conv_stride,
                    1, /*relu6=*/true, inputs.kernels);
}

MobileHead MakeHead(const MobileSkeleton& skeleton, const NetworkInputs& inputs) {
  MobileHead head;
  head.feature_mix = MobileConv(skeleton.last_channels(), skeleton.feature_mix_channels, 1, 1, 1,
                                /*relu6=*/true, inputs.kernels);
  head.classifier =
      CountedLinear(torch::nn::LinearOptions(skeleton.feature_mix_channels, inputs.classes));
  return head;
}

torch::Tensor MobileHead::forward(torch::Tensor features, double dropout, bool training) {
  features = feature_mix->forward(features);
  features = torch::adaptive_avg_pool2d(features, {1, 1}).flatten(1);
  if (dropout > 0) features = torch::dropout(features, dropout, training);
  return classifier->forward(features);
}

MobileSkeleton SkeletonFor(MobileSkeletonName name, const NetworkInputs& inputs) {
  const MobileSkeleton& skeleton = Skeleton(name);
  return std::min(inputs.height, inputs.width) < kSmallImage ? ForSmallImages(skeleton) : skeleton;
}

MobileConvImpl::MobileConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel,
                               int64_t stride, int64_t groups, bool relu6, Kernels kernels)
    : conv_(register_module(
          "conv", Conv(in_channels, out_channels, kernel, stride, kernel / 2, 1, groups))),
      bn_(register_module("bn", MobileBatchNorm(out_channels))),
      relu6_(relu6),
      depthwise_(groups > 1 && groups == in_channels && in_channels == out_channels),
      kernels_(kernels),
      stride_(stride) {}

torch::Tensor MobileConvImpl::forward(const torch::Tensor& input) {
  torch::Tensor out;
  if (depthwise_) {
    out = DepthwiseConv2d(input, conv_->weight,
                          DepthwiseConv2dOptions().stride(stride_).padding(conv_->weight.size(2) / 2),
                          kernels_);
    conv_->CountMacs(out.numel());
  } else {
    out = conv_->forward(input);
  }
  const BatchNormArgs bn = BatchNormArgsOf(*bn_);
  return relu6_ ? BatchNorm2dRelu6(out, bn, kernels_) : BatchNorm2d(out, bn, kernels_);
}

MobileInvertedBlockImpl::MobileInvertedBlockImpl(const SkeletonBlock& block, const MobileGene& gene,
                                                 Kernels kernels)
    : layer_(register_module("mobile_inverted_conv", std::make_shared<torch::nn::Module>())),
      shortcut_(block.shortcut) {
  int64_t middle = block.in_channels;
  if (gene.expansion != 1) {
    middle = std::llround(static_cast<double>(block.in_channels) * gene.expansion);
    inverted_bottleneck_ = layer_->register_module(
        "inverted_bottleneck",
        MobileConv(block.in_channels, middle, 1, 1, 1, /*relu6=*/true, kernels));
  }
  depth_conv_ = layer_->register_module(
      "depth_conv",
      MobileConv(middle, middle, gene.kernel, block.stride, middle, /*relu6=*/true, kernels));
  point_linear_ = layer_->register_module(
      "point_linear", MobileConv(middle, block.out_channels, 1, 1, 1, /*relu6=*/false, kernels));
}

torch::Tensor MobileInvertedBlockImpl::forward(const torch::Tensor& input) {
  torch::Tensor out = input;
  if (!inverted_bottleneck_.is_empty()) out = inverted_bottleneck_->forward(out);
  out = point_linear_->forward(depth_conv_->forward(out));
  return shortcut_ ? out + input : out;
}

MobileNetworkImpl::MobileNetworkImpl(const MobileArchitecture& architecture,
                                     const NetworkInputs& inputs, double dropout)
    : dropout_(dropout) {
  const MobileSkeleton skeleton = SkeletonFor(architecture.skeleton, inputs);
  first_conv_ = RegisterFirstConv(this, skeleton, inputs);
  auto blocks = register_module("blocks", std::make_shared<torch::nn::Module>());
  size_t slot = 0;
  for (size_t b = 0; b < skeleton.blocks.size(); ++b) {
    const SkeletonBlock& block = skeleton.blocks[b];
    if (!block.slot) {
      blocks_.push_back(nullptr);
      continue;
    }
    blocks_.push_back(blocks->register_module(
        absl::StrCat(b),
        MobileInvertedBlock(block, architecture.genes.at(slot++), inputs.kernels)));
  }
  head_ = RegisterHead(this, skeleton, inputs);
  description_ = absl::StrCat(
      SkeletonText(architecture.skeleton), " skeleton, ", slot, " slots, ",
      skeleton.first_conv_stride == 1 ? "strides for small images" : "ImageNet strides",
      ", dropout ", dropout);
}

NetworkOutput MobileNetworkImpl::forward(const torch::Tensor& images) {
  torch::Tensor x = first_conv_->forward(images);
  for (MobileInvertedBlock& block : blocks_) {
    if (!block.is_empty()) x = block->forward(x);
  }
  NetworkOutput output;
  output.logits = head_.forward(x, dropout_, is_training());
  return output;
}

NamedTensors MobileNetworkImpl::ReferenceStateDict() const { return StateDict(*this); }

MobileSupernetImpl::MobileSupernetImpl(MobileSkeletonName name, double channel_scale,
                                       const NetworkInputs& inputs,
                                       std::optional<std::vector<int>> only_path) {
  const MobileSkeleton skeleton = ScaleChannels(SkeletonFor(name, inputs), channel_scale);
  const size_t slot_count = skeleton.SlotBlocks().size();
  TORCH_CHECK(!only_path || only_path->size() == slot_count, "path has ",
              only_path ? only_path->size() : 0, " entries, expected ", slot_count);
  first_conv_ = RegisterFirstConv(this, skeleton, inputs);
  auto blocks = register_module("blocks", std::make_shared<torch::nn::Module>());
  for (size_t b = 0; b < skeleton.blocks.size(); ++b) {
    const SkeletonBlock& block = skeleton.blocks[b];
    if (!block.slot) {
      slot_of_block_.push_back(-1);
      continue;
    }
    const int slot = static_cast<int>(slots_.size());
    slot_of_block_.push_back(slot);
    auto choices = blocks->register_module(absl::StrCat(b), std::make_shared<torch::nn::Module>());
    std::vector<MobileInvertedBlock>& built = slots_.emplace_back(kMobileChoices, nullptr);
    for (int c = 0; c < kMobileChoices; ++c) {
      if (only_path && (*only_path)[slot] != c) continue;
      built[c] =
          choices->register_module(absl::StrCat(c),
                                   MobileInvertedBlock(block, MobileChoice(c), inputs.kernels));
    }
  }
  head_ = RegisterHead(this, skeleton, inputs);
}

template <typename SlotOutput>
torch::Tensor MobileSupernetImpl::Compute(const torch::Tensor& images, SlotOutput&& slot_output) {
  torch::Tensor x = first_conv_->forward(images);
  for (const int slot : slot_of_block_) {
    if (slot >= 0) x = slot_output(slot, slots_[slot], x);
  }
  return head_.forward(x, /*dropout=*/0, is_training());
}

torch::Tensor MobileSupernetImpl::forward(const torch::Tensor& images, absl::Span<const int> path) {
  TORCH_CHECK(path.size() == slots_.size(), "path has ", path.size(), " entries, expected ",
              slots_.size());
  return Compute(images,
                 [&](int slot, std::vector<MobileInvertedBlock>& choices, const torch::Tensor& x) {
                   const int c = path[slot];
                   TORCH_CHECK(c >= 0 && c < kMobileChoices && !choices[c].is_empty(), "choice ", c,
                               " of slot ", slot, " is not part of this network");
                   return choices[c]->forward(x);
                 });
}

torch::Tensor MobileSupernetImpl::forward_mixed(const torch::Tensor& images,
                                                const torch::Tensor& weights) {
  TORCH_CHECK(weights.dim() == 2 && weights.size(0) == static_cast<int64_t>(slots_.size()) &&
                  weights.size(1) == kMobileChoices,
              "mixing weights are ", weights.sizes(), ", expected [", slots_.size(), ", ",
              kMobileChoices, "]");
  return Compute(
      images, [&](int slot, std::vector<MobileInvertedBlock>& choices, const torch::Tensor& x) {
        torch::Tensor sum;
        for (int c = 0; c < kMobileChoices; ++c) {
          TORCH_CHECK(!choices[c].is_empty(),
                      "forward_mixed needs every choice; this network was built for a fixed path");
          torch::Tensor out = choices[c]->forward(x) * weights[slot][c];
          sum = sum.defined() ? sum + out : out;
        }
        return sum;
      });
}

}  // namespace mdenas
