#include "mdenas/space/darts/operations.h"

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/space/darts/primitives.h"
#include "mdenas/nn/layers.h"

namespace mdenas {
namespace {

TEST(OperationsTest, EveryDartsOperationIsRegistered) {
  for (const std::string& name : DartsOperations()) {
    EXPECT_TRUE(IsRegisteredOperation(name)) << name;
  }
  EXPECT_FALSE(IsRegisteredOperation("sep_conv_9x9"));
}

TEST(OperationsTest, OutputShapesAtStrideOneAndTwo) {
  torch::manual_seed(0);
  const torch::Tensor input = torch::randn({2, 8, 16, 16});
  for (const std::string& name : DartsOperations()) {
    for (bool affine : {false, true}) {
      const auto options = OperationOptions().affine(affine).pool_bn(true);
      const Operation same = MakeOperation(name, 8, 1, options);
      EXPECT_EQ(same->forward(input).sizes(), input.sizes()) << name;
      const Operation reduce = MakeOperation(name, 8, 2, options);
      EXPECT_EQ(reduce->forward(input).sizes(),
                torch::IntArrayRef({2, 8, 8, 8}))
          << name;
    }
  }
}

// Parameter counts by hand from the definitions in MDENAS_SPEC.md §1.2, for
// C channels with affine BatchNorm (2 parameters per channel).
TEST(OperationsTest, ParameterCountsFollowTheDefinitions) {
  const int64_t c = 16;
  const auto options = OperationOptions().affine(true).pool_bn(true);
  auto count = [&](const std::string& name, int64_t stride) {
    return CountParameters(*MakeOperation(name, c, stride, options), true);
  };
  EXPECT_EQ(count("none", 1), 0);
  EXPECT_EQ(count("skip_connect", 1), 0);
  EXPECT_EQ(count("max_pool_3x3", 1), 2 * c);  // The BN after pooling.
  EXPECT_EQ(count("avg_pool_3x3", 2), 2 * c);
  // FactorizedReduce: two 1x1 convs to C/2 each, then BN over C.
  EXPECT_EQ(count("skip_connect", 2), 2 * c * (c / 2) + 2 * c);
  for (int64_t k : {3, 5}) {
    const std::string size = std::to_string(k) + "x" + std::to_string(k);
    // Depthwise kxk, pointwise 1x1, BN; twice for sep_conv.
    const int64_t unit = c * k * k + c * c + 2 * c;
    EXPECT_EQ(count("sep_conv_" + size, 1), 2 * unit) << size;
    EXPECT_EQ(count("dil_conv_" + size, 2), unit) << size;
  }
  // Without affine BN and pool BN there is nothing to learn in a pool.
  EXPECT_EQ(CountParameters(*MakeOperation("max_pool_3x3", c, 1,
                                           OperationOptions().affine(false)),
                            true),
            0);
}

TEST(OperationsTest, AtenAndFastKernelsComputeTheSame) {
  torch::manual_seed(3);
  const torch::Tensor input = torch::randn({2, 8, 10, 10});
  for (const std::string& name : DartsOperations()) {
    for (int64_t stride : {1, 2}) {
      const auto options = OperationOptions().affine(true).pool_bn(true);
      const Operation aten = MakeOperation(name, 8, stride, OperationOptions(options).kernels(Kernels::kAten));
      const Operation fast = MakeOperation(name, 8, stride, OperationOptions(options).kernels(Kernels::kFast));
      {
        torch::NoGradGuard no_grad;
        auto source = aten->named_parameters();
        for (auto& item : fast->named_parameters()) item.value().copy_(source[item.key()]);
      }
      EXPECT_TRUE(torch::allclose(fast->forward(input), aten->forward(input), 1e-3, 1e-4))
          << name << " stride " << stride;
    }
  }
}

// Multiply-accumulates by hand for a 2x8x10x10 input: output elements times
// the products each takes.
TEST(OperationsTest, MacCountsFollowTheDefinitions) {
  const torch::Tensor input = torch::randn({2, 8, 10, 10});
  auto macs = [&](const std::string& name, int64_t stride, Kernels kernels) {
    MacCounter counter;
    MakeOperation(name, 8, stride, OperationOptions().kernels(kernels))->forward(input);
    return counter.total();
  };
  for (Kernels kernels : {Kernels::kAten, Kernels::kFast}) {
    // Depthwise 3x3 and pointwise 8 -> 8 on 2*8*10*10 outputs, twice.
    EXPECT_EQ(macs("sep_conv_3x3", 1, kernels), 2 * (1600 * 9 + 1600 * 8));
    // Depthwise 5x5 and pointwise on 2*8*5*5 outputs.
    EXPECT_EQ(macs("dil_conv_5x5", 2, kernels), 400 * 25 + 400 * 8);
    // Two 1x1 convolutions 8 -> 4 on 2*4*5*5 outputs each.
    EXPECT_EQ(macs("skip_connect", 2, kernels), 2 * 200 * 8);
    EXPECT_EQ(macs("max_pool_3x3", 1, kernels), 0);
  }
}

TEST(OperationsTest, ZeroAndIdentityDeclareThemselves) {
  const OperationOptions options;
  EXPECT_TRUE(MakeOperation("none", 4, 1, options)->is_zero());
  EXPECT_TRUE(MakeOperation("skip_connect", 4, 1, options)->is_identity());
  EXPECT_FALSE(MakeOperation("skip_connect", 4, 2, options)->is_identity());
  EXPECT_FALSE(MakeOperation("sep_conv_3x3", 4, 1, options)->is_identity());
  const torch::Tensor x = torch::randn({1, 4, 6, 6});
  EXPECT_TRUE(torch::equal(MakeOperation("skip_connect", 4, 1, options)->forward(x), x));
  EXPECT_EQ(MakeOperation("none", 4, 2, options)->forward(x).abs().sum().item<float>(), 0.0f);
}

TEST(OperationsTest, PoolsMatchTheirDefinitions) {
  // avg_pool_3x3 does not count the padding: a corner averages 4 pixels.
  const torch::Tensor x = torch::arange(16, torch::kFloat32).reshape({1, 1, 4, 4});
  const auto no_bn = OperationOptions().pool_bn(false);
  const torch::Tensor avg = MakeOperation("avg_pool_3x3", 1, 1, no_bn)->forward(x);
  EXPECT_FLOAT_EQ(avg[0][0][0][0].item<float>(), (0 + 1 + 4 + 5) / 4.0f);
  const torch::Tensor max = MakeOperation("max_pool_3x3", 1, 1, no_bn)->forward(x);
  EXPECT_FLOAT_EQ(max[0][0][1][1].item<float>(), 10.0f);
}

TEST(OperationsTest, RegisteringANewOperationIsOneCall) {
  RegisterOperation("conv_1x1_test",
                    [](int64_t c, int64_t stride, const OperationOptions& o) -> Operation {
                      return std::make_shared<ReLUConvBNImpl>(c, c, stride, o);
                    });
  EXPECT_TRUE(IsRegisteredOperation("conv_1x1_test"));
  const Operation op = MakeOperation("conv_1x1_test", 4, 2, OperationOptions());
  EXPECT_EQ(op->forward(torch::randn({1, 4, 8, 8})).sizes(),
            torch::IntArrayRef({1, 4, 4, 4}));
}

}  // namespace
}  // namespace mdenas
