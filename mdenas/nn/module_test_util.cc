#include "mdenas/nn/module_test_util.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace mdenas {

void ExpectSameGradients(const torch::nn::Module& expected, const torch::nn::Module& actual,
                         double rtol, double atol) {
  auto actual_parameters = actual.named_parameters();
  for (const auto& item : expected.named_parameters()) {
    const torch::Tensor& want = item.value().grad();
    const torch::Tensor& got = actual_parameters[item.key()].grad();
    ASSERT_EQ(got.defined(), want.defined()) << item.key();
    if (!want.defined()) continue;
    EXPECT_TRUE(torch::allclose(got, want, rtol, atol))
        << item.key() << ": max |diff| " << (got - want).abs().max().item<float>();
  }
}

}  // namespace mdenas
