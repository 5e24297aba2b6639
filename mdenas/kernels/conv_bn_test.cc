#include "mdenas/kernels/conv_bn.h"

#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mdenas/kernels/kernel_test_util.h"

namespace mdenas {
namespace {

// The last two inputs of every function below are the BatchNorm's weight
// and bias, used when `affine`.
BatchNormArgs WithAffine(BatchNormArgs bn, bool affine, const std::vector<at::Tensor>& in) {
  if (affine) {
    bn.weight = in[in.size() - 2];
    bn.bias = in[in.size() - 1];
  }
  return bn;
}

// in = {input, depthwise, pointwise, gamma, beta}.
TensorFunction SepConv(DepthwiseConv2dOptions depthwise, BatchNormArgs bn, bool affine,
                       Kernels kernels) {
  return [=](const std::vector<at::Tensor>& in) {
    return ReluSepConvBatchNorm(in[0], in[1], depthwise, in[2], WithAffine(bn, affine, in),
                                kernels);
  };
}

// in = {input, weight, gamma, beta}.
TensorFunction Conv1x1(int64_t stride, BatchNormArgs bn, bool affine, Kernels kernels) {
  return [=](const std::vector<at::Tensor>& in) {
    return ReluConv1x1BatchNorm(in[0], in[1], stride, WithAffine(bn, affine, in), kernels);
  };
}

// in = {input, weight0, weight1, gamma, beta}.
TensorFunction Reduce(BatchNormArgs bn, bool affine, Kernels kernels) {
  return [=](const std::vector<at::Tensor>& in) {
    return FactorizedReduceBatchNorm(in[0], in[1], in[2], WithAffine(bn, affine, in), kernels);
  };
}

// Runs `make(bn copy, kernels)` both ways on `inputs` and compares the
// output, every gradient and the running statistics.
template <typename Make>
void ExpectFastEqualsAten(const std::vector<at::Tensor>& inputs, const BatchNormArgs& bn,
                          Make make, const std::string& where) {
  const BatchNormArgs aten_bn = CopyOf(bn), fast_bn = CopyOf(bn);
  const ForwardBackward aten = RunWithGradients(make(aten_bn, Kernels::kAten), inputs);
  const ForwardBackward fast =
      RunWithGradients(make(fast_bn, Kernels::kFast), inputs, kFastThreads);
  EXPECT_TRUE(TensorsNear(fast.output, aten.output, 1e-3, 1e-4)) << where;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!aten.grads[i].defined()) {
      EXPECT_FALSE(fast.grads[i].defined()) << where << ", input " << i;
      continue;
    }
    EXPECT_TRUE(TensorsNear(fast.grads[i], aten.grads[i], 2e-3, 2e-4)) << where << ", input " << i;
  }
  EXPECT_TRUE(RunningStatsNear(fast_bn, aten_bn)) << where;
}

struct Shape {
  int64_t n, c_in, c_out, h, w;
};

Shape RandomShape(std::mt19937& rng, bool even) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Shape s{pick(1, 3), pick(1, 24), 2 * pick(1, 12), pick(1, 9), pick(1, 9)};
  if (even) s.h = 2 * pick(1, 5), s.w = 2 * pick(1, 5);
  // Batch statistics need two pixels after a stride of 2.
  s.n = std::max<int64_t>(s.n, 2);
  return s;
}

std::string Describe(const Shape& s, Layout layout, bool training, bool affine) {
  return absl::StrCat("[", s.n, ", ", s.c_in, " -> ", s.c_out, ", ", s.h, ", ", s.w, "] ",
                      LayoutName(layout), training ? ", training" : ", evaluation",
                      affine ? ", affine" : "");
}

TEST(ConvBnTest, SepConvFastEqualsAtenForEveryDepthwiseOfTheSpace) {
  torch::manual_seed(0);
  std::mt19937 rng(1);
  for (int64_t kernel : {3, 5}) {
    for (int64_t dilation : {1, 2}) {
      for (int64_t stride : {1, 2}) {
        const auto depthwise = DepthwiseConv2dOptions().stride(stride).dilation(dilation).padding(
            dilation == 1 ? kernel / 2 : kernel - 1);
        for (Layout layout : kAllLayouts) {
          const bool training = rng() % 4 != 0, affine = rng() % 2 == 0;
          const Shape s = RandomShape(rng, false);
          const std::vector<at::Tensor> inputs = {
              InLayout(torch::randn({s.n, s.c_in, s.h, s.w}), layout),
              torch::randn({s.c_in, 1, kernel, kernel}), torch::randn({s.c_out, s.c_in, 1, 1}),
              torch::randn({s.c_out}), torch::randn({s.c_out})};
          ExpectFastEqualsAten(
              inputs, RandomBatchNorm(s.c_out, training, torch::kFloat),
              [&](const BatchNormArgs& bn, Kernels k) { return SepConv(depthwise, bn, affine, k); },
              absl::StrCat(kernel, "x", kernel, " dilation ", dilation, " stride ", stride, " ",
                           Describe(s, layout, training, affine)));
        }
      }
    }
  }
}

TEST(ConvBnTest, Conv1x1FastEqualsAten) {
  torch::manual_seed(2);
  std::mt19937 rng(3);
  for (int64_t stride : {1, 2}) {
    for (Layout layout : kAllLayouts) {
      for (bool training : {true, false}) {
        const bool affine = rng() % 2 == 0;
        const Shape s = RandomShape(rng, false);
        const std::vector<at::Tensor> inputs = {
            InLayout(torch::randn({s.n, s.c_in, s.h, s.w}), layout),
            torch::randn({s.c_out, s.c_in, 1, 1}), torch::randn({s.c_out}),
            torch::randn({s.c_out})};
        ExpectFastEqualsAten(
            inputs, RandomBatchNorm(s.c_out, training, torch::kFloat),
            [&](const BatchNormArgs& bn, Kernels k) { return Conv1x1(stride, bn, affine, k); },
            absl::StrCat("stride ", stride, " ", Describe(s, layout, training, affine)));
      }
    }
  }
}

TEST(ConvBnTest, FactorizedReduceFastEqualsAten) {
  torch::manual_seed(4);
  std::mt19937 rng(5);
  for (Layout layout : kAllLayouts) {
    for (bool training : {true, false}) {
      const bool affine = rng() % 2 == 0;
      const Shape s = RandomShape(rng, true);
      const std::vector<at::Tensor> inputs = {
          InLayout(torch::randn({s.n, s.c_in, s.h, s.w}), layout),
          torch::randn({s.c_out / 2, s.c_in, 1, 1}), torch::randn({s.c_out / 2, s.c_in, 1, 1}),
          torch::randn({s.c_out}), torch::randn({s.c_out})};
      ExpectFastEqualsAten(
          inputs, RandomBatchNorm(s.c_out, training, torch::kFloat),
          [&](const BatchNormArgs& bn, Kernels k) { return Reduce(bn, affine, k); },
          Describe(s, layout, training, affine));
    }
  }
}

TEST(ConvBnTest, FastGradientsMatchFiniteDifferencesInDouble) {
  torch::manual_seed(6);
  const auto d = torch::kDouble;
  const BatchNormArgs bn = RandomBatchNorm(4, true, d);
  // Without affine parameters the output overwrites the convolution's, and
  // the gradient reads it instead.
  for (bool affine : {true, false}) {
    // The BatchNorm's weight and bias follow the other inputs where used.
    auto with_affine = [&](std::vector<at::Tensor> inputs) {
      if (affine) inputs.insert(inputs.end(), {torch::randn({4}, d), torch::randn({4}, d)});
      return inputs;
    };
    for (int64_t kernel : {3, 5}) {
      for (int64_t dilation : {1, 2}) {
        for (int64_t stride : {1, 2}) {
          const auto depthwise = DepthwiseConv2dOptions().stride(stride).dilation(dilation).padding(
              dilation == 1 ? kernel / 2 : kernel - 1);
          EXPECT_TRUE(GradientsMatchFiniteDifferences(
              SepConv(depthwise, CopyOf(bn), affine, Kernels::kFast),
              with_affine({torch::randn({2, 3, 6, 5}, d), torch::randn({3, 1, kernel, kernel}, d),
                           torch::randn({4, 3, 1, 1}, d)})))
              << kernel << "x" << kernel << " dilation " << dilation << " stride " << stride
              << (affine ? " affine" : "");
        }
      }
    }
    for (int64_t stride : {1, 2}) {
      EXPECT_TRUE(GradientsMatchFiniteDifferences(
          Conv1x1(stride, CopyOf(bn), affine, Kernels::kFast),
          with_affine({torch::randn({2, 3, 5, 4}, d), torch::randn({4, 3, 1, 1}, d)})))
          << "1x1 stride " << stride << (affine ? " affine" : "");
    }
    EXPECT_TRUE(GradientsMatchFiniteDifferences(
        Reduce(CopyOf(bn), affine, Kernels::kFast),
        with_affine({torch::randn({2, 3, 4, 6}, d), torch::randn({2, 3, 1, 1}, d),
                     torch::randn({2, 3, 1, 1}, d)})))
        << "factorized reduce" << (affine ? " affine" : "");
  }
}

// The fast kernels hand a batch's images to whichever thread is free and
// sum partial results in a fixed order: on one thread or two, every bit of
// the results is the same.
TEST(ConvBnTest, FastResultsAreTheSameOnOneAndTwoThreads) {
  torch::manual_seed(8);
  const BatchNormArgs bn = RandomBatchNorm(6, true, torch::kFloat);
  const auto dilated = DepthwiseConv2dOptions().dilation(2).padding(2);
  const std::vector<std::pair<std::string, std::function<TensorFunction(const BatchNormArgs&)>>>
      operations = {
          {"3x3 dilation 2", [&](const BatchNormArgs& b) {
             return SepConv(dilated, b, false, Kernels::kFast);
           }},
          {"1x1 stride 2", [](const BatchNormArgs& b) {
             return Conv1x1(2, b, false, Kernels::kFast);
           }},
          {"factorized reduce", [](const BatchNormArgs& b) {
             return Reduce(b, false, Kernels::kFast);
           }},
      };
  // Seven images: the threads cannot split them evenly. Images of 32x32
  // pixels and 8 channels give each operation work for two threads
  // (kMinParallelWork each, stealing_parallel_for.h).
  const at::Tensor input = InLayout(torch::randn({7, 8, 32, 32}), Layout::kChannelsLast);
  const std::vector<std::vector<at::Tensor>> weights = {
      {torch::randn({8, 1, 3, 3}), torch::randn({6, 8, 1, 1})},
      {torch::randn({6, 8, 1, 1})},
      {torch::randn({3, 8, 1, 1}), torch::randn({3, 8, 1, 1})}};
  for (size_t op = 0; op < operations.size(); ++op) {
    std::vector<at::Tensor> inputs = {input};
    inputs.insert(inputs.end(), weights[op].begin(), weights[op].end());
    const BatchNormArgs one_bn = CopyOf(bn), two_bn = CopyOf(bn);
    const ForwardBackward one = RunWithGradients(operations[op].second(one_bn), inputs, 1);
    const ForwardBackward two = RunWithGradients(operations[op].second(two_bn), inputs, 2);
    const std::string& what = operations[op].first;
    EXPECT_TRUE(torch::equal(one.output, two.output)) << what;
    for (size_t i = 0; i < inputs.size(); ++i) {
      EXPECT_TRUE(torch::equal(one.grads[i], two.grads[i])) << what << ", input " << i;
    }
    EXPECT_TRUE(torch::equal(one_bn.running_mean, two_bn.running_mean)) << what;
    EXPECT_TRUE(torch::equal(one_bn.running_var, two_bn.running_var)) << what;
  }
}

TEST(ConvBnTest, FactorizedReduceRejectsOddSizes) {
  const BatchNormArgs bn = RandomBatchNorm(4, true, torch::kFloat);
  // 1 x 1: the shifted convolution has no pixel at all (before stop 17 the
  // fast kernels computed one, and wrote past the end of their buffers).
  for (const auto& [height, width] : {std::pair{5, 5}, {1, 1}, {1, 4}, {4, 3}}) {
    for (Kernels kernels : {Kernels::kAten, Kernels::kFast}) {
      EXPECT_THROW(
          FactorizedReduceBatchNorm(torch::randn({1, 3, height, width}),
                                    torch::randn({2, 3, 1, 1}), torch::randn({2, 3, 1, 1}),
                                    CopyOf(bn), kernels),
          c10::Error)
          << KernelsName(kernels) << " " << height << "x" << width;
    }
  }
}

}  // namespace
}  // namespace mdenas
