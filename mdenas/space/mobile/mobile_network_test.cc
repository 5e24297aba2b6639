#include "mdenas/space/mobile/mobile_network.h"

#include <torch/torch.h>

#include <map>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/nn/layers.h"
#include "mdenas/space/network_size.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

// Every choice, with and without stride 2, keeps the batch, sets the
// channels and halves the size where the stride is 2; a shortcut adds the
// input.
TEST(MobileInvertedBlockTest, ShapesOfEveryChoiceAndStride) {
  torch::manual_seed(1);
  const torch::Tensor input = torch::randn({2, 16, 9, 9});
  for (int c = 0; c < kMobileChoices; ++c) {
    for (const int64_t stride : {1, 2}) {
      const SkeletonBlock block{true, 16, 24, stride, false, 3, 1};
      MobileInvertedBlock net(block, MobileChoice(c), Kernels::kAten);
      const torch::Tensor out = net->forward(input);
      EXPECT_EQ(out.sizes(), (torch::IntArrayRef{2, 24, stride == 1 ? 9 : 5, stride == 1 ? 9 : 5}))
          << MobileChoiceName(c) << " stride " << stride;
    }
    MobileInvertedBlock residual(SkeletonBlock{true, 16, 16, 1, true, 3, 1}, MobileChoice(c),
                                 Kernels::kAten);
    residual->eval();
    MobileInvertedBlock plain(SkeletonBlock{true, 16, 16, 1, false, 3, 1}, MobileChoice(c),
                              Kernels::kAten);
    plain->eval();
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < plain->parameters().size(); ++i) {
      plain->parameters()[i].copy_(residual->parameters()[i]);
    }
    EXPECT_TRUE(torch::allclose(residual->forward(input), plain->forward(input) + input));
  }
  // Expansion 1 has no expansion conv; 3 and 6 expand to round(in x e).
  MobileInvertedBlock e1(SkeletonBlock{true, 16, 24, 1, false, 3, 1}, MobileGene{3, 1},
                         Kernels::kAten);
  EXPECT_EQ(e1->named_parameters().find("mobile_inverted_conv.inverted_bottleneck.conv.weight"),
            nullptr);
  MobileInvertedBlock e6(SkeletonBlock{true, 16, 24, 1, false, 7, 6}, MobileGene{7, 6},
                         Kernels::kAten);
  EXPECT_EQ(e6->named_parameters()["mobile_inverted_conv.depth_conv.conv.weight"].sizes(),
            (torch::IntArrayRef{96, 1, 7, 7}));
}

// On the fast kernels (the depthwise convolution and the BNs) a block
// trains as on ATen: the same output, gradients and running statistics.
TEST(MobileInvertedBlockTest, FastKernelsTrainAsAtenDoes) {
  const std::pair<SkeletonBlock, MobileGene> cases[] = {
      {SkeletonBlock{true, 16, 24, 2, false, 7, 6}, MobileGene{7, 6}},
      {SkeletonBlock{true, 16, 16, 1, true, 5, 3}, MobileGene{5, 3}},
      {SkeletonBlock{true, 16, 16, 1, true, 3, 1}, MobileGene{3, 1}}};
  for (const auto& [block, gene] : cases) {
    SCOPED_TRACE(MobileChoiceName(MobileChoiceIndex(gene)));
    torch::manual_seed(3);
    MobileInvertedBlock aten(block, gene, Kernels::kAten);
    MobileInvertedBlock fast(block, gene, Kernels::kFast);
    {
      torch::NoGradGuard no_grad;
      const auto fast_parameters = fast->named_parameters();
      for (const auto& item : aten->named_parameters()) {
        fast_parameters[item.key()].copy_(item.value());
      }
    }
    const torch::Tensor input = torch::randn({2, 16, 9, 9});
    const torch::Tensor aten_input = input.clone().requires_grad_();
    const torch::Tensor fast_input =
        input.contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_();
    const torch::Tensor aten_out = aten->forward(aten_input);
    const torch::Tensor fast_out = fast->forward(fast_input);
    EXPECT_TRUE(torch::allclose(fast_out, aten_out, 1e-4, 1e-5));
    const torch::Tensor upstream = torch::randn(aten_out.sizes());
    (aten_out * upstream).sum().backward();
    (fast_out * upstream).sum().backward();
    EXPECT_TRUE(torch::allclose(fast_input.grad(), aten_input.grad(), 1e-4, 1e-5));
    const auto fast_parameters = fast->named_parameters();
    for (const auto& item : aten->named_parameters()) {
      EXPECT_TRUE(torch::allclose(fast_parameters[item.key()].grad(), item.value().grad(), 1e-4,
                                  1e-4))
          << item.key();
    }
    const auto fast_buffers = fast->named_buffers();
    for (const auto& item : aten->named_buffers()) {
      EXPECT_TRUE(torch::allclose(fast_buffers[item.key()], item.value(), 1e-5, 1e-6))
          << item.key();
    }
  }
}

// The independent values: mobile_reference.py's closed-form counts from the
// authors' skeleton files (ProxylessNAS's own networks come out at their
// published 7.1M / 465M and 4.4M / 439M).
TEST(MobileNetworkTest, SizesAt224PixelsEqualTheIndependentCounts) {
  const std::map<std::string, std::pair<int64_t, int64_t>> expected = {
      {"MDENAS_GPU", {5745984, 765096256}},
      {"MDENAS_CPU", {4069992, 515539216}},
      {"PROXYLESS_GPU", {7119848, 465260160}},
      {"PROXYLESS_CPU", {4361648, 439243864}},
  };
  for (const auto& [name, sizes] : expected) {
    MobileNetwork net(*ParseMobileArchitecture(name, GPU), ImageNetInputs(), 0.3);
    EXPECT_EQ(CountParameters(*net, false), sizes.first) << name;
    EXPECT_EQ(NetworkMacs(*net, ImageNetInputs()), sizes.second) << name;
  }
}

TEST(MobileNetworkTest, NamesAreTheAuthorsStateDict) {
  MobileNetwork net(*ParseMobileArchitecture("MDENAS_GPU", GPU), ImageNetInputs(), 0.3);
  const NamedTensors state = net->ReferenceStateDict();
  EXPECT_EQ(state.front().first, "first_conv.conv.weight");
  EXPECT_EQ(state.back().first, "classifier.linear.bias");
  std::set<std::string> names;
  for (const auto& entry : state) names.insert(entry.first);
  EXPECT_TRUE(names.count("blocks.0.mobile_inverted_conv.depth_conv.conv.weight"));
  EXPECT_TRUE(names.count("blocks.21.mobile_inverted_conv.point_linear.bn.num_batches_tracked"));
  EXPECT_TRUE(names.count("feature_mix_layer.bn.running_var"));
  // Block 2 of gpu.config is a skip block; block 0's expansion is 6.
  for (const std::string& name : names) EXPECT_THAT(name, ::testing::Not(HasSubstr("blocks.2.")));
  EXPECT_TRUE(names.count("blocks.0.mobile_inverted_conv.inverted_bottleneck.conv.weight"));
}

TEST(MobileNetworkTest, SmallImagesKeepTheEarlyResolution) {
  NetworkInputs cifar;
  MobileNetwork net(*ParseMobileArchitecture("MDENAS_CPU", GPU), cifar, 0);
  EXPECT_THAT(net->Description(), HasSubstr("strides for small images"));
  net->eval();
  EXPECT_EQ(net->forward(torch::randn({2, 3, 32, 32})).logits.sizes(), (torch::IntArrayRef{2, 10}));
  const MobileSkeleton small = SkeletonFor(CPU, cifar);
  EXPECT_EQ(small.first_conv_stride, 1);
  EXPECT_EQ(small.blocks[1].stride, 1);
  EXPECT_EQ(small.blocks[5].stride, 2);
  EXPECT_EQ(SkeletonFor(CPU, ImageNetInputs()).blocks[1].stride, 2);
  const MobileSkeleton quarter = ScaleChannels(Skeleton(GPU), 0.25);
  EXPECT_EQ(quarter.first_conv_channels, 10);
  EXPECT_EQ(quarter.blocks[0].out_channels, 6);
  EXPECT_EQ(quarter.feature_mix_channels, 432);
}

// A path's supernet computes what the full supernet computes on that path,
// and mixing with one-hot weights picks it too.
TEST(MobileSupernetTest, PathsMixingAndFixedPathsAgree) {
  NetworkInputs inputs;
  inputs.channels = 1;
  inputs.height = inputs.width = 16;
  torch::manual_seed(2);
  MobileSupernet full(GPU, 0.25, inputs, std::nullopt);
  full->eval();
  std::vector<int> path;
  for (int s = 0; s < 14; ++s) path.push_back((s * 5) % kMobileChoices);
  MobileSupernet fixed(GPU, 0.25, inputs, path);
  fixed->eval();
  // Nine blocks per slot against one; the ends are shared.
  EXPECT_GT(full->parameters().size(), 8 * fixed->parameters().size());
  {
    torch::NoGradGuard no_grad;
    const auto full_parameters = full->named_parameters();
    for (const auto& item : fixed->named_parameters()) {
      ASSERT_NE(full_parameters.find(item.key()), nullptr) << item.key();
      item.value().copy_(full_parameters[item.key()]);
    }
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor images = torch::randn({2, 1, 16, 16});
  const torch::Tensor logits = full->forward(images, path);
  EXPECT_EQ(logits.sizes(), (torch::IntArrayRef{2, 10}));
  EXPECT_TRUE(torch::allclose(fixed->forward(images, path), logits, 1e-5, 1e-6));
  torch::Tensor one_hot = torch::zeros({14, kMobileChoices});
  for (int s = 0; s < 14; ++s) one_hot[s][path[s]] = 1;
  EXPECT_TRUE(torch::allclose(full->forward_mixed(images, one_hot), logits, 1e-5, 1e-6));
  path[3] = (path[3] + 1) % kMobileChoices;
  EXPECT_THROW(fixed->forward(images, path), c10::Error);
}

}  // namespace
}  // namespace mdenas
