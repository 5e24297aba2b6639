// The networks of the mobile space, built as the authors' code builds them
// (ProxylessNAS's proxyless_nets.py): a first conv (3x3, BN, ReLU6), the
// skeleton's blocks, a feature-mix 1x1 conv (BN, ReLU6), global average
// pooling, dropout and a linear classifier. A slot's block
// (MBInvertedConvLayer): a 1x1 expansion to round(in x expansion) channels
// unless the expansion is 1, BN, ReLU6; a depthwise k x k of the slot's
// stride with padding k / 2, BN, ReLU6; a 1x1 projection, BN; plus the
// input where the skeleton has a shortcut. A skip block passes its input
// through. Convolutions have no bias; BN momentum 0.1, eps 1e-3.
//
// Parameter names are the authors' state_dict's: `first_conv.conv.weight`,
// `blocks.<b>.mobile_inverted_conv.{inverted_bottleneck,depth_conv,
// point_linear}.{conv,bn}.*` (b the block's index in the skeleton file),
// `feature_mix_layer.{conv,bn}.*`, `classifier.linear.*`. The supernet
// puts every choice c of slot block b under `blocks.<b>.<c>.*`.

#ifndef MDENAS_SPACE_MOBILE_MOBILE_NETWORK_H_
#define MDENAS_SPACE_MOBILE_MOBILE_NETWORK_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "mdenas/kernels/kernels.h"
#include "mdenas/nn/layers.h"
#include "mdenas/space/mobile/mobile_architecture.h"
#include "mdenas/space/mobile/mobile_skeleton.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

// A convolution and its BN, with ReLU6 after them where `relu6`. The BN
// and a depthwise convolution (groups = channels) run on `kernels`
// (kernels/batch_norm.h, kernels/depthwise_conv2d.h); other convolutions
// and ReLU6 on ATen.
class MobileConvImpl : public torch::nn::Module {
 public:
  MobileConvImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
                 int64_t groups, bool relu6, Kernels kernels);
  torch::Tensor forward(const torch::Tensor& input);

 private:
  CountedConv2d conv_;
  torch::nn::BatchNorm2d bn_;
  bool relu6_;
  bool depthwise_;
  Kernels kernels_;
  int64_t stride_;
};
TORCH_MODULE(MobileConv);

// A slot's inverted-residual block with `gene`; `block`'s channels, stride
// and shortcut; its convolutions on `kernels`.
class MobileInvertedBlockImpl : public torch::nn::Module {
 public:
  MobileInvertedBlockImpl(const SkeletonBlock& block, const MobileGene& gene, Kernels kernels);
  torch::Tensor forward(const torch::Tensor& input);

 private:
  std::shared_ptr<torch::nn::Module> layer_;
  MobileConv inverted_bottleneck_{nullptr}, depth_conv_{nullptr}, point_linear_{nullptr};
  bool shortcut_;
};
TORCH_MODULE(MobileInvertedBlock);

// The feature mix (1x1 conv, BN, ReLU6), global average pooling, dropout
// and the classifier.
struct MobileHead {
  MobileConv feature_mix{nullptr};
  CountedLinear classifier{nullptr};

  torch::Tensor forward(torch::Tensor features, double dropout, bool training);
};

// The first conv and the head of `skeleton`'s networks for `inputs`, not
// yet part of one (the networks register them under the authors' names;
// the latency table times them alone).
MobileConv MakeFirstConv(const MobileSkeleton& skeleton, const NetworkInputs& inputs);
MobileHead MakeHead(const MobileSkeleton& skeleton, const NetworkInputs& inputs);

// The stand-alone network of an architecture. `inputs` smaller than 64 px
// run the skeleton ForSmallImages.
class MobileNetworkImpl : public Network {
 public:
  MobileNetworkImpl(const MobileArchitecture& architecture, const NetworkInputs& inputs,
                    double dropout);

  NetworkOutput forward(const torch::Tensor& images) override;
  // "gpu skeleton, 14 slots, 224 px strides, dropout 0.3"
  std::string Description() const override { return description_; }
  NamedTensors ReferenceStateDict() const override;

 private:
  MobileConv first_conv_{nullptr};
  // By block index; null for a skip block.
  std::vector<MobileInvertedBlock> blocks_;
  MobileHead head_;
  double dropout_;
  std::string description_;
};
TORCH_MODULE(MobileNetwork);

// The single-path supernet: every choice of every slot built (or, with
// `only_path`, the path's), a path picking one per slot.
class MobileSupernetImpl : public Supernet {
 public:
  // The skeleton's channels times `channel_scale`.
  MobileSupernetImpl(MobileSkeletonName skeleton, double channel_scale, const NetworkInputs& inputs,
                     std::optional<std::vector<int>> only_path);

  torch::Tensor forward(const torch::Tensor& images, absl::Span<const int> path) override;
  torch::Tensor forward_mixed(const torch::Tensor& images, const torch::Tensor& weights) override;

 private:
  // The logits, with slot s's output (s counting slots) from
  // `slot_output(s, choices, input)`.
  template <typename SlotOutput>
  torch::Tensor Compute(const torch::Tensor& images, SlotOutput&& slot_output);

  MobileConv first_conv_{nullptr};
  // Per slot, its choices (null where not built).
  std::vector<std::vector<MobileInvertedBlock>> slots_;
  // Per block, its slot's index, or -1 for a skip block.
  std::vector<int> slot_of_block_;
  MobileHead head_;
};
TORCH_MODULE(MobileSupernet);

// The skeleton a network for `inputs` runs: ForSmallImages below 64 px.
MobileSkeleton SkeletonFor(MobileSkeletonName name, const NetworkInputs& inputs);

}  // namespace mdenas

#endif  // MDENAS_SPACE_MOBILE_MOBILE_NETWORK_H_
