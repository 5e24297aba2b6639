#include "mdenas/kernels/batch_norm.h"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mdenas/kernels/kernel_test_util.h"

namespace mdenas {
namespace {

// in = {input, weight, bias}; weight and bias are dropped without affine.
// BatchNorm2dRelu6 where `relu6`.
TensorFunction Norm(const BatchNormArgs& bn, bool affine, Kernels kernels, bool relu6 = false) {
  return [bn, affine, kernels, relu6](const std::vector<at::Tensor>& in) {
    BatchNormArgs args = bn;
    if (affine) {
      args.weight = in[1];
      args.bias = in[2];
    }
    return relu6 ? BatchNorm2dRelu6(in[0], args, kernels) : BatchNorm2d(in[0], args, kernels);
  };
}

TEST(BatchNormTest, FastEqualsAtenInTrainingAndEvaluation) {
  torch::manual_seed(0);
  std::mt19937 rng(1);
  for (bool training : {true, false}) {
    for (bool affine : {false, true}) {
      for (Layout layout : kAllLayouts) {
        const int64_t n = std::uniform_int_distribution<int64_t>(1, 4)(rng);
        const int64_t c = std::uniform_int_distribution<int64_t>(1, 40)(rng);
        const int64_t h = std::uniform_int_distribution<int64_t>(2, 9)(rng);
        const at::Tensor x = InLayout(torch::randn({n, c, h, h + 1}) * 3 + 1, layout);
        const at::Tensor gamma = torch::randn({c}), beta = torch::randn({c});
        const BatchNormArgs bn = RandomBatchNorm(c, training, torch::kFloat);
        const BatchNormArgs aten_bn = CopyOf(bn), fast_bn = CopyOf(bn);
        const ForwardBackward aten =
            RunWithGradients(Norm(aten_bn, affine, Kernels::kAten), {x, gamma, beta});
        const ForwardBackward fast =
            RunWithGradients(Norm(fast_bn, affine, Kernels::kFast), {x, gamma, beta}, kFastThreads);
        const std::string where =
            absl::StrCat(training ? "training" : "evaluation", affine ? ", affine, " : ", ",
                         LayoutName(layout), " ", c, " channels");
        EXPECT_TRUE(TensorsNear(fast.output, aten.output, 1e-4, 1e-4)) << where;
        EXPECT_TRUE(TensorsNear(fast.grads[0], aten.grads[0], 1e-3, 1e-4)) << where;
        if (affine) {
          EXPECT_TRUE(TensorsNear(fast.grads[1], aten.grads[1], 1e-3, 1e-4)) << where;
          EXPECT_TRUE(TensorsNear(fast.grads[2], aten.grads[2], 1e-3, 1e-4)) << where;
        }
        EXPECT_TRUE(RunningStatsNear(fast_bn, aten_bn)) << where;
      }
    }
  }
}

// Scale 4 and shift 2 put a fifth or more of the outputs beyond each end
// of ReLU6's [0, 6] (the test checks a tenth).
TEST(BatchNormTest, FastRelu6EqualsAtenInTrainingAndEvaluation) {
  torch::manual_seed(3);
  for (bool training : {true, false}) {
    for (Layout layout : kAllLayouts) {
      const int64_t c = 19;
      const at::Tensor x = InLayout(torch::randn({3, c, 6, 5}) * 3 + 1, layout);
      const at::Tensor gamma = torch::full({c}, 4.0) + torch::rand({c});
      const at::Tensor beta = torch::full({c}, 2.0);
      const BatchNormArgs bn = RandomBatchNorm(c, training, torch::kFloat);
      const BatchNormArgs aten_bn = CopyOf(bn), fast_bn = CopyOf(bn);
      const ForwardBackward aten =
          RunWithGradients(Norm(aten_bn, true, Kernels::kAten, true), {x, gamma, beta});
      const ForwardBackward fast = RunWithGradients(Norm(fast_bn, true, Kernels::kFast, true),
                                                    {x, gamma, beta}, kFastThreads);
      const std::string where =
          absl::StrCat(training ? "training, " : "evaluation, ", LayoutName(layout));
      const double clipped_low = (aten.output == 0).to(torch::kDouble).mean().item<double>();
      const double clipped_high = (aten.output == 6).to(torch::kDouble).mean().item<double>();
      EXPECT_GT(clipped_low, 0.1) << where;
      EXPECT_GT(clipped_high, 0.1) << where;
      EXPECT_TRUE(TensorsNear(fast.output, aten.output, 1e-4, 1e-4)) << where;
      for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(TensorsNear(fast.grads[i], aten.grads[i], 1e-3, 1e-4))
            << where << " grad " << i;
      }
      EXPECT_TRUE(RunningStatsNear(fast_bn, aten_bn)) << where;
    }
  }
}

// NaN passes the clamp as it passes ATen's: a diverged network stays NaN.
TEST(BatchNormTest, FastRelu6KeepsNaN) {
  at::Tensor x = torch::randn({2, 3, 4, 4});
  x[1][2][3][0] = std::numeric_limits<float>::quiet_NaN();
  const BatchNormArgs bn = RandomBatchNorm(3, false, torch::kFloat);
  const at::Tensor y = BatchNorm2dRelu6(x, CopyOf(bn), Kernels::kFast);
  EXPECT_TRUE(std::isnan(y[1][2][3][0].item<float>()));
  EXPECT_EQ(torch::isnan(y).sum().item<int64_t>(), 1);
}

TEST(BatchNormTest, FastGradientsMatchFiniteDifferencesInDouble) {
  torch::manual_seed(2);
  for (bool training : {true, false}) {
    const at::Tensor x = torch::randn({3, 4, 3, 2}, torch::kDouble);
    const at::Tensor gamma = torch::randn({4}, torch::kDouble);
    const at::Tensor beta = torch::randn({4}, torch::kDouble);
    const BatchNormArgs bn = RandomBatchNorm(4, training, torch::kDouble);
    EXPECT_TRUE(GradientsMatchFiniteDifferences(Norm(bn, true, Kernels::kFast),
                                                {x, gamma, beta}))
        << (training ? "training" : "evaluation");
    EXPECT_TRUE(GradientsMatchFiniteDifferences(Norm(bn, true, Kernels::kFast, /*relu6=*/true),
                                                {x, gamma * 4, beta + 2}))
        << (training ? "training" : "evaluation") << ", ReLU6";
  }
}

TEST(BatchNormTest, StatisticsOfLargeOffsetsStayAccurate) {
  // Variance from sums of squares would lose every digit here.
  const at::Tensor x = torch::randn({8, 3, 16, 16}) + 1000;
  const BatchNormArgs bn = RandomBatchNorm(3, true, torch::kFloat);
  const at::Tensor aten = BatchNorm2d(x, CopyOf(bn), Kernels::kAten);
  const at::Tensor fast = BatchNorm2d(x, CopyOf(bn), Kernels::kFast);
  EXPECT_TRUE(TensorsNear(fast, aten, 1e-3, 1e-3));
}

}  // namespace
}  // namespace mdenas
