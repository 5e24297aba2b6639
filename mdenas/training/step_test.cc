#include "mdenas/training/replicas.h"
#include "mdenas/training/step.h"

#include <torch/torch.h>

#include <cmath>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

OptimizerSpec PlainSgd(double learning_rate) {
  OptimizerSpec spec;
  spec.set_learning_rate(learning_rate);
  spec.set_momentum(0);
  spec.set_weight_decay(0);
  spec.set_grad_clip_norm(0);
  return spec;
}

TEST(TrainingStepTest, ParametersWithoutGradientsAreLeftAlone) {
  OptimizerSpec spec;
  spec.set_weight_decay(0.1);
  torch::Tensor used = torch::ones({3}, torch::requires_grad());
  torch::Tensor unused = torch::ones({3}, torch::requires_grad());
  SingleProcess single;
  TrainingStep step(spec, {used, unused}, &single);
  for (int i = 0; i < 3; ++i) {
    step.ClearGradients();
    // `unused` took part in an earlier step only.
    ASSERT_TRUE(*step.Apply(i == 0 ? (used * unused).sum() : used.pow(2).sum()));
  }
  const torch::Tensor after_first = unused.clone();
  step.ClearGradients();
  ASSERT_TRUE(*step.Apply(used.sum()));
  EXPECT_TRUE(torch::equal(unused, after_first));
  EXPECT_FALSE(unused.grad().defined());
}

TEST(TrainingStepTest, ClipsTheGlobalGradientNorm) {
  OptimizerSpec spec = PlainSgd(1.0);
  spec.set_grad_clip_norm(1.0);
  torch::Tensor w = torch::zeros({2}, torch::requires_grad());
  SingleProcess single;
  TrainingStep step(spec, {w}, &single);
  // Gradient (30, 40) has norm 50; clipped to norm 1: a step of (0.6, 0.8).
  ASSERT_TRUE(*step.Apply((w * torch::tensor({30.0f, 40.0f})).sum()));
  EXPECT_NEAR(w[0].item<float>(), -0.6f, 1e-5);
  EXPECT_NEAR(w[1].item<float>(), -0.8f, 1e-5);
  step.SetLearningRate(0.5);
  EXPECT_DOUBLE_EQ(
      static_cast<torch::optim::SGDOptions&>(step.optimizer().param_groups()[0].options()).lr(),
      0.5);
}

TEST(TrainingStepTest, NonFiniteLossOrGradientLeavesTheParametersAlone) {
  torch::Tensor w = torch::ones({2}, torch::requires_grad());
  SingleProcess single;
  TrainingStep step(OptimizerSpec(), {w}, &single);
  EXPECT_FALSE(*step.Apply((w * std::nan("")).sum()));
  EXPECT_TRUE(torch::equal(w, torch::ones({2})));
  step.ClearGradients();
  // A finite loss whose gradient is infinite: d/dw of sqrt(w - 1) at w = 1.
  EXPECT_FALSE(*step.Apply((w - 1).sqrt().sum()));
  EXPECT_TRUE(torch::equal(w, torch::ones({2})));
  step.ClearGradients();
  EXPECT_TRUE(*step.Apply(w.sum()));
  EXPECT_FALSE(torch::equal(w, torch::ones({2})));
}

// Stands in for processes whose gradients sum to three times this one's.
class TripleGradients : public GradientCombiner {
 public:
  absl::Status Combine(const std::vector<torch::Tensor>& parameters) override {
    combined = parameters.size();
    for (const torch::Tensor& p : parameters) p.grad().mul_(3);
    return absl::OkStatus();
  }
  size_t combined = 0;
};

// The gradients are combined before they are clipped, checked and applied,
// and only those the backward pass reached.
TEST(TrainingStepTest, CombinesTheGradientsBeforeTheUpdate) {
  torch::Tensor w = torch::zeros({2}, torch::requires_grad());
  torch::Tensor idle = torch::zeros({2}, torch::requires_grad());
  TripleGradients combiner;
  TrainingStep step(PlainSgd(0.1), {w, idle}, &combiner);
  ASSERT_TRUE(*step.Apply((w * torch::tensor({1.0f, 2.0f})).sum()));
  EXPECT_EQ(combiner.combined, 1u);
  EXPECT_NEAR(w[0].item<float>(), -0.3f, 1e-6);
  EXPECT_NEAR(w[1].item<float>(), -0.6f, 1e-6);

  // Clipping sees the combined norm: (3, 4) * 3 has norm 15, clipped to 5.
  OptimizerSpec clipped = PlainSgd(1.0);
  clipped.set_grad_clip_norm(5.0);
  torch::Tensor v = torch::zeros({2}, torch::requires_grad());
  TrainingStep clipping(clipped, {v}, &combiner);
  ASSERT_TRUE(*clipping.Apply((v * torch::tensor({3.0f, 4.0f})).sum()));
  EXPECT_NEAR(v[0].item<float>(), -3.0f, 1e-4);
  EXPECT_NEAR(v[1].item<float>(), -4.0f, 1e-4);
}

// Processes that cannot combine their gradients (one is gone) stop the
// step with that error, and nothing is applied.
class UnreachableProcesses : public GradientCombiner {
 public:
  absl::Status Combine(const std::vector<torch::Tensor>&) override {
    return absl::UnavailableError("rank 1 is gone");
  }
};

TEST(TrainingStepTest, AFailedCombineIsTheStepsError) {
  torch::Tensor w = torch::zeros({2}, torch::requires_grad());
  UnreachableProcesses combiner;
  TrainingStep step(PlainSgd(0.1), {w}, &combiner);
  const absl::StatusOr<bool> updated = step.Apply(w.sum());
  EXPECT_EQ(updated.status().message(), "rank 1 is gone");
  EXPECT_TRUE(torch::equal(w.detach(), torch::zeros({2})));
}

// Micro-batches: each Backward adds to the gradients, one Update combines
// and applies their sum once; a non-finite micro-batch loss is refused
// before it touches them.
TEST(TrainingStepTest, BackwardAccumulatesUntilTheUpdate) {
  torch::Tensor w = torch::zeros({2}, torch::requires_grad());
  TripleGradients combiner;
  TrainingStep step(PlainSgd(0.1), {w}, &combiner);
  step.ClearGradients();
  ASSERT_TRUE(step.Backward((w * torch::tensor({1.0f, 0.0f})).sum()));
  ASSERT_TRUE(step.Backward((w * torch::tensor({0.0f, 2.0f})).sum()));
  EXPECT_FALSE(step.Backward((w * std::nan("")).sum()));
  EXPECT_EQ(combiner.combined, 0u);
  ASSERT_TRUE(*step.Update());
  EXPECT_EQ(combiner.combined, 1u);
  EXPECT_NEAR(w[0].item<float>(), -0.3f, 1e-6);
  EXPECT_NEAR(w[1].item<float>(), -0.6f, 1e-6);
}

}  // namespace
}  // namespace mdenas
