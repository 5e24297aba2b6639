#include "mdenas/space/darts/network.h"

#include <map>
#include <set>

#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/space/darts/genotype.h"
#include "mdenas/nn/layers.h"
#include "mdenas/nn/module_test_util.h"
#include "mdenas/nn/state_dict.h"
#include "mdenas/space/network_size.h"
#include "mdenas/training/tensor_state.h"
#include "mdenas/space/darts/test_genotypes.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

DartsNetwork Cifar(const std::string& genotype, bool pool_bn, bool auxiliary) {
  return DartsNetwork(*BuiltinGenotype(genotype), DartsNetworkOptions()
                                                     .layers(20)
                                                     .init_channels(36)
                                                     .pool_bn(pool_bn)
                                                     .auxiliary(auxiliary));
}

DartsNetwork ImageNet(const std::string& genotype, bool auxiliary) {
  return DartsNetwork(*BuiltinGenotype(genotype),
                     DartsNetworkOptions()
                         .stem(DartsStem::kImageNet)
                         .num_classes(1000)
                         .layers(14)
                         .init_channels(48)
                         .pool_bn(true)
                         .auxiliary(auxiliary));
}

// DARTS reports 3.3M for DARTS_V2; its own count, without the auxiliary head
// and with plain pooling, is 3,349,342.
TEST(DartsNetworkTest, DartsV2ParameterCountIsDartsOwn) {
  EXPECT_EQ(CountParameters(*Cifar("DARTS_V2", false, true), false), 3349342);
}

// MDENAS_SPEC.md §3.1 (equal to uninas' counts): with BN after pooling.
TEST(DartsNetworkTest, MdenasParameterCountsMatchTheSpec) {
  const DartsNetwork with_aux = Cifar("MDENAS", true, true);
  EXPECT_EQ(CountParameters(*with_aux, false), 3786742);
  EXPECT_EQ(CountParameters(*with_aux, true), 4263168);
  EXPECT_EQ(CountParameters(*Cifar("MDENAS", false, false), false), 3783286);
}

// MDENAS_SPEC.md §3.3 (a): 14 cells, 48 channels, 1000 classes.
TEST(DartsNetworkTest, ImageNetTransferParameterCountsMatchTheSpec) {
  EXPECT_EQ(CountParameters(*ImageNet("MDENAS", false), true), 5329024);
  EXPECT_EQ(CountParameters(*ImageNet("MDENAS", true), true), 6589800);
}

TEST(DartsNetworkTest, OutputShapesForBothStems) {
  torch::manual_seed(0);
  DartsNetwork cifar(*BuiltinGenotype("DARTS_V1"),
                    DartsNetworkOptions().layers(5).init_channels(8).auxiliary(true));
  cifar->train();
  const NetworkOutput out = cifar->forward(torch::randn({2, 3, 32, 32}));
  EXPECT_EQ(out.logits.sizes(), torch::IntArrayRef({2, 10}));
  EXPECT_EQ(out.auxiliary_logits.sizes(), torch::IntArrayRef({2, 10}));

  DartsNetwork imagenet(*BuiltinGenotype("MDENAS"), DartsNetworkOptions()
                                                      .stem(DartsStem::kImageNet)
                                                      .num_classes(7)
                                                      .layers(3)
                                                      .init_channels(8));
  imagenet->eval();
  EXPECT_EQ(imagenet->forward(torch::randn({1, 3, 64, 64})).logits.sizes(),
            torch::IntArrayRef({1, 7}));
}

TEST(DartsNetworkTest, AtenAndFastKernelsTrainTheSame) {
  torch::manual_seed(3);
  // DARTS_V2 concatenates its nodes in order (summed into the output);
  // a reduction cell whose concat skips a node is concatenated by copy.
  Genotype genotype = *BuiltinGenotype("DARTS_V2");
  genotype.reduce.concat = {2, 4, 5};
  const auto options = DartsNetworkOptions().layers(3).init_channels(8).pool_bn(true);
  DartsNetwork aten(genotype, DartsNetworkOptions(options).kernels(Kernels::kAten));
  DartsNetwork fast(genotype, DartsNetworkOptions(options).kernels(Kernels::kFast));
  ASSERT_TRUE(LoadModuleState(ModuleState(*aten), fast.get()).ok());
  const torch::Tensor images = torch::randn({4, 3, 16, 16});
  const torch::Tensor aten_logits = aten->forward(images).logits;
  const torch::Tensor fast_logits = fast->forward(images).logits;
  EXPECT_TRUE(torch::allclose(fast_logits, aten_logits, 1e-3, 1e-4));
  aten_logits.pow(2).sum().backward();
  fast_logits.pow(2).sum().backward();
  ExpectSameGradients(*aten, *fast, 1e-2, 1e-3);
}

TEST(DartsNetworkTest, AuxiliaryHeadRunsInTrainingModeOnly) {
  torch::manual_seed(1);
  DartsNetwork net(*BuiltinGenotype("MDENAS"),
                  DartsNetworkOptions().layers(5).init_channels(8).auxiliary(true));
  const torch::Tensor images = torch::randn({2, 3, 32, 32});
  net->train();
  EXPECT_TRUE(net->forward(images).auxiliary_logits.defined());
  net->eval();
  EXPECT_FALSE(net->forward(images).auxiliary_logits.defined());
}

// The head pools 5x5 windows into at least 2x2: CIFAR's 32x32 give 8x8
// after two reductions, Fashion-MNIST's 28x28 only 7x7 (the 1x1 that the
// 2x2 convolution rejected with an uncaught libtorch error); the ImageNet
// stem's 224x224 give 7x7 with stride 2.
TEST(DartsNetworkTest, AuxiliaryHeadMustFitTheImages) {
  DartsNetworkOptions cifar = DartsNetworkOptions().layers(3).auxiliary(true);
  EXPECT_TRUE(CheckAuxiliaryHeadFits(cifar, 32).ok());
  const absl::Status small = CheckAuxiliaryHeadFits(cifar, 28);
  EXPECT_THAT(std::string(small.message()),
              HasSubstr("field 'network.darts.auxiliary': DARTS's auxiliary head needs a feature "
                        "map of at least 8x8 after the second reduction cell, and 28x28 images "
                        "give 7x7"));
  DartsNetworkOptions imagenet = cifar;
  imagenet.stem(DartsStem::kImageNet).layers(14);
  EXPECT_TRUE(CheckAuxiliaryHeadFits(imagenet, 224).ok());
  EXPECT_FALSE(CheckAuxiliaryHeadFits(imagenet, 160).ok());
  // Where it fits, the network trains with it.
  DartsNetwork network(*ParseDartsGenotype(kEveryOperationGenotype),
                       DartsNetworkOptions().layers(3).init_channels(4).auxiliary(true));
  network->train();
  EXPECT_TRUE(network->forward(torch::randn({2, 3, 32, 32})).auxiliary_logits.defined());
}

TEST(DartsNetworkTest, DropPathActsInTrainingModeOnly) {
  torch::manual_seed(2);
  DartsNetwork net(*BuiltinGenotype("DARTS_V2"),
                  DartsNetworkOptions().layers(3).init_channels(8));
  const torch::Tensor images = torch::randn({4, 3, 16, 16});
  net->eval();
  net->set_drop_path_prob(0.5);
  const torch::Tensor a = net->forward(images).logits;
  EXPECT_TRUE(torch::equal(a, net->forward(images).logits));
  // In training mode two passes drop different paths. (BatchNorm uses batch
  // statistics there, identically in both passes.)
  net->train();
  const torch::Tensor b = net->forward(images).logits;
  const torch::Tensor c = net->forward(images).logits;
  EXPECT_FALSE(torch::allclose(b, c));
  net->set_drop_path_prob(0.0);
  EXPECT_TRUE(torch::allclose(net->forward(images).logits,
                              net->forward(images).logits));
}

TEST(DartsNetworkTest, DropPathZeroesWholeExamplesAndKeepsTheMean) {
  torch::manual_seed(3);
  const torch::Tensor out = DropPath(torch::ones({4000, 2, 3, 3}), 0.25);
  const torch::Tensor per_example = out.flatten(1);
  // Each example is all zeros or all 1/0.75.
  const torch::Tensor kept = per_example.select(1, 0) > 0;
  EXPECT_TRUE(torch::allclose(
      per_example,
      kept.unsqueeze(1).to(torch::kFloat32).expand_as(per_example) / 0.75));
  const double kept_fraction = kept.to(torch::kFloat64).mean().item<double>();
  // Binomial(4000, 0.75): the standard deviation is 0.0068.
  EXPECT_NEAR(kept_fraction, 0.75, 0.035);
}

TEST(MacsTest, SingleConvolutionAndLinear) {
  CountedConv2d conv = Conv(3, 16, 3, 1, 1);
  CountedLinear linear(torch::nn::LinearOptions(64, 10));
  MacCounter counter;
  conv->forward(torch::zeros({1, 3, 8, 8}));
  EXPECT_EQ(counter.total(), 8 * 8 * 16 * 3 * 9);
  linear->forward(torch::zeros({2, 64}));
  EXPECT_EQ(counter.total(), 8 * 8 * 16 * 3 * 9 + 2 * 64 * 10);
  // Depthwise: one input channel per output channel.
  MacCounter inner;
  Conv(8, 8, 5, 2, 2, 1, 8)->forward(torch::zeros({1, 8, 10, 10}));
  EXPECT_EQ(inner.total(), 5 * 5 * 8 * 25);
  EXPECT_EQ(counter.total(), 8 * 8 * 16 * 3 * 9 + 2 * 64 * 10);
}

// The MAC counts that DARTS-family genotype collections list beside these
// genotypes (20 cells, 36 channels, 32x32): 599M for MDENAS, 528M for
// DARTS_V2. BatchNorm, pooling and the auxiliary head add none.
TEST(MacsTest, NetworkMacsMatchPublishedCounts) {
  DartsNetwork mdenas = Cifar("MDENAS", true, true);
  const NetworkInputs cifar;
  const int64_t macs = NetworkMacs(*mdenas, cifar);
  EXPECT_NEAR(macs / 1e6, 599, 0.5);
  EXPECT_EQ(NetworkMacs(*Cifar("MDENAS", false, false), cifar), macs);
  EXPECT_NEAR(NetworkMacs(*Cifar("DARTS_V2", false, false), cifar) / 1e6, 528, 0.5);
}

DartsNetwork Tiny(DartsNetworkOptions options) {
  return DartsNetwork(*ParseDartsGenotype(kEveryOperationGenotype),
                      options.layers(5).init_channels(8).auxiliary(true));
}

std::map<std::string, std::vector<int64_t>> Shapes(const NamedTensors& state) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [name, tensor] : state) shapes[name] = tensor.sizes().vec();
  return shapes;
}

TEST(DartsReferenceStateTest, HoldsEveryParameterAndBufferOnceUnderItsOwnName) {
  for (const DartsNetwork& net :
       {Tiny(DartsNetworkOptions()), Tiny(DartsNetworkOptions().pool_bn(true)),
        Tiny(DartsNetworkOptions().stem(DartsStem::kImageNet))}) {
    const NamedTensors own = StateDict(*net);
    const NamedTensors reference = net->ReferenceStateDict();
    std::set<const void*> own_tensors;
    for (const auto& [name, tensor] : own) own_tensors.insert(tensor.unsafeGetTensorImpl());
    std::set<const void*> mapped;
    std::set<std::string> names;
    for (const auto& [name, tensor] : reference) {
      EXPECT_TRUE(own_tensors.count(tensor.unsafeGetTensorImpl())) << name;
      EXPECT_TRUE(mapped.insert(tensor.unsafeGetTensorImpl()).second) << name;
      EXPECT_TRUE(names.insert(name).second) << name;
    }
    EXPECT_EQ(mapped.size(), own.size());
  }
}

// DARTS's NetworkCIFAR(8, 10, 5, True, genotype): reductions at cells 1
// and 3, so cells 2 and 4 take c_{k-2} through a FactorizedReduce.
TEST(DartsReferenceStateTest, CifarNamesAreNetworkCifars) {
  const NamedTensors state = Tiny(DartsNetworkOptions())->ReferenceStateDict();
  using Shape = std::vector<int64_t>;
  const std::map<std::string, Shape> expected = {
      {"stem.0.weight", {24, 3, 3, 3}},
      {"stem.1.num_batches_tracked", {}},
      {"cells.0.preprocess0.op.1.weight", {8, 24, 1, 1}},
      {"cells.0.preprocess1.op.2.running_mean", {8}},
      {"cells.0._ops.0.op.1.weight", {8, 1, 3, 3}},
      {"cells.0._ops.0.op.2.weight", {8, 8, 1, 1}},
      {"cells.0._ops.0.op.3.bias", {8}},
      {"cells.0._ops.0.op.5.weight", {8, 1, 3, 3}},
      {"cells.0._ops.0.op.6.weight", {8, 8, 1, 1}},
      {"cells.0._ops.0.op.7.running_var", {8}},
      {"cells.0._ops.1.op.1.weight", {8, 1, 5, 5}},
      {"cells.0._ops.1.op.3.weight", {8}},
      {"cells.1._ops.0.conv_1.weight", {8, 16, 1, 1}},
      {"cells.1._ops.0.conv_2.weight", {8, 16, 1, 1}},
      {"cells.1._ops.0.bn.num_batches_tracked", {}},
      {"cells.2.preprocess0.conv_1.weight", {8, 32, 1, 1}},
      {"cells.2.preprocess0.bn.weight", {16}},
      {"auxiliary_head.features.2.weight", {128, 128, 1, 1}},
      {"auxiliary_head.features.3.running_mean", {128}},
      {"auxiliary_head.features.5.weight", {768, 128, 2, 2}},
      {"auxiliary_head.features.6.num_batches_tracked", {}},
      {"auxiliary_head.classifier.weight", {10, 768}},
      {"classifier.weight", {10, 128}},
      {"classifier.bias", {10}}};
  const std::map<std::string, Shape> shapes = Shapes(state);
  for (const auto& [name, shape] : expected) {
    ASSERT_TRUE(shapes.count(name)) << name;
    EXPECT_EQ(shapes.at(name), shape) << name;
  }
  // DARTS has no parameter in pooling or identity edges.
  EXPECT_FALSE(shapes.count("cells.0._ops.5.bn.weight"));
  EXPECT_EQ(state.front().first, "stem.0.weight");
  EXPECT_EQ(state[state.size() - 3].first, "auxiliary_head.classifier.bias");
  EXPECT_EQ(state.back().first, "classifier.bias");
}

TEST(DartsReferenceStateTest, ImageNetAndPoolBatchNormNames) {
  const auto imagenet =
      Shapes(Tiny(DartsNetworkOptions().stem(DartsStem::kImageNet))->ReferenceStateDict());
  for (const char* name : {"stem0.0.weight", "stem0.4.running_var", "stem1.1.weight",
                           "cells.0.preprocess0.conv_1.weight", "auxiliary_head.features.5.weight",
                           "auxiliary_head.classifier.bias"}) {
    EXPECT_TRUE(imagenet.count(name)) << name;
  }
  // NetworkImageNet's auxiliary head leaves out the BatchNorm after its last convolution.
  EXPECT_FALSE(imagenet.count("auxiliary_head.features.6.weight"));
  // pt.darts's PoolBN names its BatchNorm `bn`.
  const auto pool_bn = Shapes(Tiny(DartsNetworkOptions().pool_bn(true))->ReferenceStateDict());
  EXPECT_TRUE(pool_bn.count("cells.0._ops.5.bn.running_mean"));
}

}  // namespace
}  // namespace mdenas
