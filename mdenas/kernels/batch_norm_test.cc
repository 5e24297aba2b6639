#include "mdenas/kernels/batch_norm.h"

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
TensorFunction Norm(const BatchNormArgs& bn, bool affine, Kernels kernels) {
  return [bn, affine, kernels](const std::vector<at::Tensor>& in) {
    BatchNormArgs args = bn;
    if (affine) {
      args.weight = in[1];
      args.bias = in[2];
    }
    return BatchNorm2d(in[0], args, kernels);
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
