#include "mdenas/training/sgd.h"

#include <cmath>

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(SgdTest, CosineScheduleRunsFromTheInitialToTheMinimalRate) {
  OptimizerSpec spec;
  spec.set_learning_rate(0.1);
  spec.set_learning_rate_min(0.001);
  EXPECT_DOUBLE_EQ(LearningRateAt(spec, 0, 10), 0.1);
  EXPECT_NEAR(LearningRateAt(spec, 5, 10), (0.1 + 0.001) / 2, 1e-12);
  // DARTS steps per epoch: the last epoch runs just above the minimum.
  EXPECT_GT(LearningRateAt(spec, 9, 10), 0.001);
  EXPECT_NEAR(LearningRateAt(spec, 10, 10), 0.001, 1e-12);
  spec.set_schedule(OptimizerSpec::CONSTANT);
  EXPECT_DOUBLE_EQ(LearningRateAt(spec, 7, 10), 0.1);
}

TEST(SgdTest, ParametersWithoutGradientsAreLeftAlone) {
  OptimizerSpec spec;
  spec.set_weight_decay(0.1);
  torch::Tensor used = torch::ones({3}, torch::requires_grad());
  torch::Tensor unused = torch::ones({3}, torch::requires_grad());
  auto sgd = MakeSgd(spec, {used, unused});
  for (int step = 0; step < 3; ++step) {
    ClearGradients({used, unused});
    // `unused` took part in an earlier step only.
    const torch::Tensor loss =
        step == 0 ? (used * unused).sum() : used.pow(2).sum();
    BackwardAndStep(loss, spec, sgd.get());
  }
  const torch::Tensor after_first = unused.clone();
  ClearGradients({used, unused});
  BackwardAndStep(used.sum(), spec, sgd.get());
  EXPECT_TRUE(torch::equal(unused, after_first));
  EXPECT_FALSE(unused.grad().defined());
}

TEST(SgdTest, ClipsTheGlobalGradientNorm) {
  OptimizerSpec spec;
  spec.set_learning_rate(1.0);
  spec.set_momentum(0);
  spec.set_weight_decay(0);
  spec.set_grad_clip_norm(1.0);
  torch::Tensor w = torch::zeros({2}, torch::requires_grad());
  auto sgd = MakeSgd(spec, {w});
  // Gradient (30, 40) has norm 50; clipped to norm 1: a step of (0.6, 0.8).
  BackwardAndStep((w * torch::tensor({30.0f, 40.0f})).sum(), spec, sgd.get());
  EXPECT_NEAR(w[0].item<float>(), -0.6f, 1e-5);
  EXPECT_NEAR(w[1].item<float>(), -0.8f, 1e-5);
  SetLearningRate(sgd.get(), 0.5);
  EXPECT_DOUBLE_EQ(
      static_cast<torch::optim::SGDOptions&>(sgd->param_groups()[0].options()).lr(),
      0.5);
}

TEST(SgdTest, NonFiniteLossOrGradientLeavesTheParametersAlone) {
  OptimizerSpec spec;
  torch::Tensor w = torch::ones({2}, torch::requires_grad());
  auto sgd = MakeSgd(spec, {w});
  EXPECT_FALSE(BackwardAndStep((w * std::nan("")).sum(), spec, sgd.get()));
  EXPECT_TRUE(torch::equal(w, torch::ones({2})));
  ClearGradients({w});
  // A finite loss whose gradient is infinite: d/dw of sqrt(w - 1) at w = 1.
  EXPECT_FALSE(BackwardAndStep((w - 1).sqrt().sum(), spec, sgd.get()));
  EXPECT_TRUE(torch::equal(w, torch::ones({2})));
  ClearGradients({w});
  EXPECT_TRUE(BackwardAndStep(w.sum(), spec, sgd.get()));
  EXPECT_FALSE(torch::equal(w, torch::ones({2})));
}

}  // namespace
}  // namespace mdenas
