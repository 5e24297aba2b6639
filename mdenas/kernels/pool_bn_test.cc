#include "mdenas/kernels/pool_bn.h"

#include <optional>
#include <random>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mdenas/kernels/kernel_test_util.h"

namespace mdenas {
namespace {

// in = {input, gamma, beta}; gamma and beta are used with `affine`.
TensorFunction Pool(PoolKind kind, int64_t stride, std::optional<BatchNormArgs> bn,
                    bool affine, Kernels kernels) {
  return [=](const std::vector<at::Tensor>& in) {
    std::optional<BatchNormArgs> args = bn;
    if (args && affine) {
      args->weight = in[1];
      args->bias = in[2];
    }
    return Pool3x3BatchNorm(in[0], kind, stride, args, kernels);
  };
}

const char* KindName(PoolKind kind) { return kind == PoolKind::kMax ? "max" : "average"; }

TEST(PoolBnTest, FastEqualsAtenWithAndWithoutBatchNorm) {
  torch::manual_seed(0);
  std::mt19937 rng(1);
  for (PoolKind kind : {PoolKind::kMax, PoolKind::kAverage}) {
    for (int64_t stride : {1, 2}) {
      for (Layout layout : kAllLayouts) {
        for (bool with_bn : {false, true}) {
          const bool training = rng() % 4 != 0, affine = with_bn && rng() % 2 == 0;
          // Two images at least: batch statistics of one pixel are undefined.
          const int64_t n = std::uniform_int_distribution<int64_t>(2, 3)(rng);
          const int64_t c = std::uniform_int_distribution<int64_t>(1, 40)(rng);
          const int64_t h = std::uniform_int_distribution<int64_t>(1, 10)(rng);
          const int64_t w = std::uniform_int_distribution<int64_t>(1, 10)(rng);
          const std::vector<at::Tensor> inputs = {
              InLayout(torch::randn({n, c, h, w}), layout), torch::randn({c}), torch::randn({c})};
          std::optional<BatchNormArgs> aten_bn, fast_bn;
          if (with_bn) {
            const BatchNormArgs bn = RandomBatchNorm(c, training, torch::kFloat);
            aten_bn = CopyOf(bn);
            fast_bn = CopyOf(bn);
          }
          const ForwardBackward aten =
              RunWithGradients(Pool(kind, stride, aten_bn, affine, Kernels::kAten), inputs);
          const ForwardBackward fast =
              RunWithGradients(Pool(kind, stride, fast_bn, affine, Kernels::kFast), inputs,
                               kFastThreads);
          const std::string where = absl::StrCat(
              KindName(kind), " stride ", stride, " ", LayoutName(layout), " [", n, ", ", c, ", ",
              h, ", ", w, "]", with_bn ? (training ? " BN training" : " BN evaluation") : "",
              affine ? " affine" : "");
          EXPECT_TRUE(TensorsNear(fast.output, aten.output, 1e-4, 1e-4)) << where;
          EXPECT_TRUE(TensorsNear(fast.grads[0], aten.grads[0], 1e-3, 1e-4)) << where;
          if (affine) {
            EXPECT_TRUE(TensorsNear(fast.grads[1], aten.grads[1], 1e-3, 1e-4)) << where;
            EXPECT_TRUE(TensorsNear(fast.grads[2], aten.grads[2], 1e-3, 1e-4)) << where;
          }
          if (with_bn) {
            EXPECT_TRUE(RunningStatsNear(*fast_bn, *aten_bn)) << where;
          }
        }
      }
    }
  }
}

// The fast kernels hand a batch's images to whichever thread is free: on
// one thread or two, every bit of the results is the same.
TEST(PoolBnTest, FastResultsAreTheSameOnOneAndTwoThreads) {
  torch::manual_seed(4);
  // Seven images: the threads cannot split them evenly. Images of 32x32
  // pixels and 8 channels give the pooling work for two threads
  // (kMinParallelWork each, stealing_parallel_for.h).
  const std::vector<at::Tensor> inputs = {
      InLayout(torch::randn({7, 8, 32, 32}), Layout::kChannelsLast), torch::randn({8}),
      torch::randn({8})};
  const BatchNormArgs bn = RandomBatchNorm(8, true, torch::kFloat);
  for (PoolKind kind : {PoolKind::kMax, PoolKind::kAverage}) {
    const std::optional<BatchNormArgs> one_bn = CopyOf(bn), two_bn = CopyOf(bn);
    const ForwardBackward one =
        RunWithGradients(Pool(kind, 2, one_bn, false, Kernels::kFast), inputs, 1);
    const ForwardBackward two =
        RunWithGradients(Pool(kind, 2, two_bn, false, Kernels::kFast), inputs, 2);
    EXPECT_TRUE(torch::equal(one.output, two.output)) << KindName(kind);
    EXPECT_TRUE(torch::equal(one.grads[0], two.grads[0])) << KindName(kind);
    EXPECT_TRUE(torch::equal(one_bn->running_mean, two_bn->running_mean)) << KindName(kind);
    EXPECT_TRUE(torch::equal(one_bn->running_var, two_bn->running_var)) << KindName(kind);
  }
}

TEST(PoolBnTest, MaxPoolingSendsTiesToTheFirstMaximumAsAtenDoes) {
  const at::Tensor x = torch::ones({1, 2, 4, 4});
  for (int64_t stride : {1, 2}) {
    const ForwardBackward aten =
        RunWithGradients(Pool(PoolKind::kMax, stride, std::nullopt, false, Kernels::kAten), {x});
    const ForwardBackward fast =
        RunWithGradients(Pool(PoolKind::kMax, stride, std::nullopt, false, Kernels::kFast), {x},
                         kFastThreads);
    EXPECT_TRUE(TensorsNear(fast.grads[0], aten.grads[0], 0, 0)) << "stride " << stride;
  }
}

TEST(PoolBnTest, FastGradientsMatchFiniteDifferencesInDouble) {
  torch::manual_seed(2);
  const auto d = torch::kDouble;
  for (PoolKind kind : {PoolKind::kMax, PoolKind::kAverage}) {
    for (int64_t stride : {1, 2}) {
      // Without affine parameters the output overwrites the pooled values.
      for (bool affine : {true, false}) {
        std::vector<at::Tensor> inputs = {torch::randn({2, 3, 5, 6}, d)};
        if (affine) inputs.insert(inputs.end(), {torch::randn({3}, d), torch::randn({3}, d)});
        EXPECT_TRUE(GradientsMatchFiniteDifferences(
            Pool(kind, stride, RandomBatchNorm(3, true, d), affine, Kernels::kFast), inputs))
            << KindName(kind) << " stride " << stride << (affine ? " affine" : "");
      }
    }
  }
}

}  // namespace
}  // namespace mdenas
