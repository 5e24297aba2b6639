#include "mdenas/training/step.h"

#include <torch/torch.h>

#include <cmath>

#include "gtest/gtest.h"
#include "mdenas/training/replicas.h"
#include "mdenas/training/sgd.h"

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

// The step's SGD is torch::optim::SGD's arithmetic, bit for bit: momentum,
// weight decay, clipping (as the step clipped before it computed SGD
// itself), parameters that miss steps, a learning rate that changes.
TEST(TrainingStepTest, UpdatesExactlyAsTorchSgd) {
  OptimizerSpec spec;
  spec.set_learning_rate(0.05);
  spec.set_momentum(0.9);
  spec.set_weight_decay(3e-4);
  spec.set_grad_clip_norm(2.0);
  torch::manual_seed(5);
  const torch::Tensor start_a = torch::randn({4, 3});
  const torch::Tensor start_b = torch::randn({5});
  torch::Tensor a = start_a.clone().requires_grad_(), b = start_b.clone().requires_grad_();
  torch::Tensor ref_a = start_a.clone().requires_grad_(), ref_b = start_b.clone().requires_grad_();
  SingleProcess single;
  TrainingStep step(spec, {a, b}, &single);
  torch::optim::SGD reference(
      {ref_a, ref_b},
      torch::optim::SGDOptions(spec.learning_rate()).momentum(0.9).weight_decay(3e-4));
  for (int i = 0; i < 6; ++i) {
    // b misses steps 1 and 4; steps 0 and 3 have gradients big enough to
    // clip.
    const bool with_b = i != 1 && i != 4;
    const double size = (i % 3 == 0) ? 10.0 : 0.1;
    const auto loss = [&](const torch::Tensor& x, const torch::Tensor& y) {
      torch::Tensor l = (x.pow(2) * size).sum();
      return with_b ? l + (y * x.sum() * size).sum() : l;
    };
    if (i == 2) {
      step.SetLearningRate(0.02);
      static_cast<torch::optim::SGDOptions&>(reference.param_groups()[0].options()).lr(0.02);
    }
    step.ClearGradients();
    ASSERT_TRUE(*step.Apply(loss(a, b)));

    for (torch::Tensor* p : {&ref_a, &ref_b}) p->mutable_grad() = torch::Tensor();
    loss(ref_a, ref_b).backward();
    std::vector<torch::Tensor> norms;
    for (torch::Tensor* p : {&ref_a, &ref_b}) {
      if (p->grad().defined()) norms.push_back(p->grad().norm());
    }
    const torch::Tensor scale =
        torch::clamp_max(spec.grad_clip_norm() / (torch::stack(norms).norm() + 1e-6), 1.0);
    if (scale.item<double>() < 1.0) {
      for (torch::Tensor* p : {&ref_a, &ref_b}) {
        if (p->grad().defined()) p->grad().mul_(scale);
      }
    }
    reference.step();
    ASSERT_TRUE(torch::equal(a, ref_a)) << "step " << i;
    ASSERT_TRUE(torch::equal(b, ref_b)) << "step " << i;
    ASSERT_TRUE(torch::equal(*FindMomentumBuffer(step.optimizer(), a),
                             *FindMomentumBuffer(reference, ref_a)));
  }
}

// A step whose gradient is not finite changes nothing, the momentum
// included, and says so on the device; the step after it proceeds from
// where the last finite one left off.
TEST(TrainingStepTest, UpdateOnDeviceSelectsTheOldValuesOnANonFiniteGradient) {
  OptimizerSpec spec;
  spec.set_momentum(0.9);
  torch::Tensor w = torch::ones({3}, torch::requires_grad());
  SingleProcess single;
  TrainingStep step(spec, {w}, &single);
  ASSERT_TRUE(step.Backward(w.pow(2).sum()));
  EXPECT_FALSE(step.HasMomentumBuffers());
  ASSERT_TRUE(step.UpdateOnDevice()->item<bool>());
  EXPECT_TRUE(step.HasMomentumBuffers());
  const torch::Tensor weights = w.detach().clone();
  const torch::Tensor momentum = FindMomentumBuffer(step.optimizer(), w)->clone();

  step.ClearGradients();
  w.mutable_grad() = torch::full({3}, std::nan(""));
  const absl::StatusOr<torch::Tensor> updated = step.UpdateOnDevice();
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->dim(), 0);
  EXPECT_FALSE(updated->item<bool>());
  EXPECT_TRUE(torch::equal(w, weights));
  EXPECT_TRUE(torch::equal(*FindMomentumBuffer(step.optimizer(), w), momentum));
}

}  // namespace
}  // namespace mdenas
