#include "mdenas/training/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(AutocastScopeTest, ConvolutionsRunInBfloat16OnlyWhileOpen) {
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 4, 3));
  const torch::Tensor images = torch::randn({2, 3, 8, 8});
  {
    AutocastScope scope(c10::kCPU, /*enabled=*/true);
    EXPECT_EQ(conv->forward(images).scalar_type(), torch::kBFloat16);
    // The loss is float32.
    const torch::Tensor logits = torch::randn({2, 5}).to(torch::kBFloat16);
    EXPECT_EQ(torch::cross_entropy_loss(logits, torch::tensor({0, 4})).scalar_type(),
              torch::kFloat);
  }
  EXPECT_EQ(conv->forward(images).scalar_type(), torch::kFloat);
  {
    AutocastScope off(c10::kCPU, /*enabled=*/false);
    EXPECT_EQ(conv->forward(images).scalar_type(), torch::kFloat);
  }
}

TEST(AutocastScopeTest, NestedScopesRestoreWhatTheyFound) {
  const torch::Tensor a = torch::randn({4, 4});
  {
    AutocastScope outer(c10::kCPU, true);
    {
      AutocastScope inner(c10::kCPU, true);
      EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kBFloat16);
    }
    EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kBFloat16);
  }
  EXPECT_EQ(torch::mm(a, a).scalar_type(), torch::kFloat);
}

// A scope for a CUDA graph's capture keeps no bfloat16 copies of the
// weights; the cache is as it was after it.
TEST(AutocastScopeTest, CachingCanBeTurnedOffForTheScope) {
  ASSERT_TRUE(at::autocast::is_autocast_cache_enabled());
  {
    AutocastScope capture(c10::kCPU, true, /*cache_casts=*/false);
    EXPECT_FALSE(at::autocast::is_autocast_cache_enabled());
  }
  EXPECT_TRUE(at::autocast::is_autocast_cache_enabled());
  {
    AutocastScope ordinary(c10::kCPU, true);
    EXPECT_TRUE(at::autocast::is_autocast_cache_enabled());
  }
}

// Weights and their gradients stay float32; the gradient is the float32
// one's within bfloat16's precision (8 bits of mantissa).
TEST(AutocastScopeTest, GradientsAreFloat32AndCloseToFloat32Training) {
  torch::manual_seed(3);
  torch::nn::Sequential net(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3).padding(1)),
                            torch::nn::BatchNorm2d(8), torch::nn::ReLU(),
                            torch::nn::AdaptiveAvgPool2d(1), torch::nn::Flatten(),
                            torch::nn::Linear(8, 5));
  const torch::Tensor images = torch::randn({4, 3, 8, 8});
  const torch::Tensor labels = torch::tensor({0, 1, 2, 3});
  auto gradient = [&](bool bf16) {
    net->zero_grad();
    torch::Tensor loss;
    {
      AutocastScope scope(c10::kCPU, bf16);
      loss = torch::cross_entropy_loss(net->forward(images), labels);
    }
    EXPECT_EQ(loss.scalar_type(), torch::kFloat);
    loss.backward();
    return net->parameters()[0].grad().clone();
  };
  const torch::Tensor reference = gradient(false);
  const torch::Tensor mixed = gradient(true);
  EXPECT_EQ(mixed.scalar_type(), torch::kFloat);
  EXPECT_FALSE(torch::equal(mixed, reference));
  const double relative = ((mixed - reference).norm() / reference.norm()).item<double>();
  EXPECT_LT(relative, 0.05);
}

}  // namespace
}  // namespace mdenas
