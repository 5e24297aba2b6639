#include "mdenas/kernels/depthwise_conv2d.h"

#include <random>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mdenas/kernels/kernel_test_util.h"

namespace mdenas {
namespace {

// Every depthwise convolution of the search spaces: kernel 3 and 5 at
// dilation 1 (sep_conv, padding k/2) and 2 (dil_conv, padding k-1), at
// stride 1 and 2; kernel 7 as the mobile space has it (dilation 1), and at
// dilation 2, which no space has and which runs on ATen, as kernel 7 does
// on a GPU.
struct Case {
  int64_t kernel;
  int64_t dilation;
  int64_t stride;
  DepthwiseConv2dOptions options() const {
    return DepthwiseConv2dOptions()
        .stride(stride)
        .dilation(dilation)
        .padding(dilation == 1 ? kernel / 2 : kernel - 1);
  }
  std::string name() const {
    return absl::StrCat(kernel, "x", kernel, " dilation ", dilation, " stride ", stride);
  }
};

std::vector<Case> SpaceCases() {
  std::vector<Case> cases;
  for (int64_t kernel : {3, 5, 7}) {
    for (int64_t dilation : {1, 2}) {
      for (int64_t stride : {1, 2}) cases.push_back({kernel, dilation, stride});
    }
  }
  return cases;
}

TensorFunction Conv(const Case& c, Kernels kernels) {
  return [c, kernels](const std::vector<at::Tensor>& in) {
    return DepthwiseConv2d(in[0], in[1], c.options(), kernels);
  };
}

TEST(DepthwiseConv2dTest, FastEqualsAtenOnRandomShapesAndLayouts) {
  torch::manual_seed(0);
  std::mt19937 rng(1);
  const std::vector<int64_t> channel_counts = {1, 3, 8, 16, 17, 24, 40};
  for (const Case& c : SpaceCases()) {
    for (Layout layout : kAllLayouts) {
      const int64_t n = std::uniform_int_distribution<int64_t>(1, 3)(rng);
      const int64_t channels = channel_counts[rng() % channel_counts.size()];
      const int64_t height = std::uniform_int_distribution<int64_t>(1, 11)(rng);
      const int64_t width = std::uniform_int_distribution<int64_t>(1, 11)(rng);
      const at::Tensor x = InLayout(torch::randn({n, channels, height, width}), layout);
      const at::Tensor w = torch::randn({channels, 1, c.kernel, c.kernel});
      const ForwardBackward aten = RunWithGradients(Conv(c, Kernels::kAten), {x, w});
      const ForwardBackward fast = RunWithGradients(Conv(c, Kernels::kFast), {x, w}, kFastThreads);
      const std::string where = absl::StrCat(c.name(), ", ", LayoutName(layout), " [", n,
                                             ", ", channels, ", ", height, ", ", width, "]");
      EXPECT_TRUE(TensorsNear(fast.output, aten.output, 1e-4, 1e-5)) << where;
      EXPECT_TRUE(TensorsNear(fast.grads[0], aten.grads[0], 1e-4, 1e-5)) << where;
      EXPECT_TRUE(TensorsNear(fast.grads[1], aten.grads[1], 1e-4, 1e-4)) << where;
    }
  }
}

// On a GPU the fast kernels are the project's CUDA ones (cuda_depthwise.h):
// the same function as ATen's depthwise convolution there, gradients
// included, in either input layout.
TEST(DepthwiseConv2dTest, FastEqualsAtenOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  torch::manual_seed(0);
  for (const Case& c : SpaceCases()) {
    for (const bool channels_last : {false, true}) {
      at::Tensor x = torch::randn({2, 24, 9, 10}, torch::kCUDA);
      if (channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
      const at::Tensor w = torch::randn({24, 1, c.kernel, c.kernel}, torch::kCUDA);
      at::Tensor pattern;
      auto run = [&](Kernels kernels) {
        const at::Tensor xs = x.detach().requires_grad_(true);
        const at::Tensor ws = w.detach().requires_grad_(true);
        const at::Tensor y = DepthwiseConv2d(xs, ws, c.options(), kernels);
        if (!pattern.defined()) pattern = torch::randn_like(y);
        y.backward(pattern);
        return std::vector<at::Tensor>{y.cpu(), xs.grad().cpu(), ws.grad().cpu()};
      };
      const std::vector<at::Tensor> aten = run(Kernels::kAten);
      const std::vector<at::Tensor> fast = run(Kernels::kFast);
      const std::string where = absl::StrCat(c.name(), channels_last ? ", channels-last" : "");
      EXPECT_TRUE(TensorsNear(fast[0], aten[0], 1e-4, 1e-5)) << where;
      EXPECT_TRUE(TensorsNear(fast[1], aten[1], 1e-4, 1e-5)) << where;
      EXPECT_TRUE(TensorsNear(fast[2], aten[2], 1e-4, 1e-4)) << where;
    }
  }
}

TEST(DepthwiseConv2dTest, GradientsOfAChannelSliceOfAConcatenation) {
  // The backward pass receives the gradient of a concatenation: channel
  // slices of a wider channels-last tensor.
  torch::manual_seed(2);
  const Case c{3, 1, 1};
  const at::Tensor x = torch::randn({2, 5, 6, 6}).contiguous(at::MemoryFormat::ChannelsLast);
  const at::Tensor w = torch::randn({5, 1, 3, 3});
  auto concatenated = [&](Kernels kernels) {
    return [&, kernels](const std::vector<at::Tensor>& in) {
      const at::Tensor y = DepthwiseConv2d(in[0], in[1], c.options(), kernels);
      return at::cat({y, 2 * y}, 1);
    };
  };
  const ForwardBackward aten = RunWithGradients(concatenated(Kernels::kAten), {x, w});
  const ForwardBackward fast = RunWithGradients(concatenated(Kernels::kFast), {x, w}, kFastThreads);
  EXPECT_TRUE(TensorsNear(fast.grads[0], aten.grads[0], 1e-4, 1e-5));
  EXPECT_TRUE(TensorsNear(fast.grads[1], aten.grads[1], 1e-4, 1e-4));
}

TEST(DepthwiseConv2dTest, FastGradientsMatchFiniteDifferencesInDouble) {
  torch::manual_seed(3);
  for (const Case& c : SpaceCases()) {
    const at::Tensor x = torch::randn({2, 3, 7, 6}, torch::kDouble);
    const at::Tensor w = torch::randn({3, 1, c.kernel, c.kernel}, torch::kDouble);
    EXPECT_TRUE(GradientsMatchFiniteDifferences(Conv(c, Kernels::kFast), {x, w})) << c.name();
  }
}

TEST(DepthwiseConv2dTest, FastOutputIsChannelsLast) {
  const at::Tensor y = DepthwiseConv2d(torch::randn({2, 4, 5, 5}), torch::randn({4, 1, 3, 3}),
                                       DepthwiseConv2dOptions().padding(1), Kernels::kFast);
  EXPECT_TRUE(y.is_contiguous(at::MemoryFormat::ChannelsLast));
}

TEST(DepthwiseConv2dTest, RejectsAWeightOfAnotherShape) {
  for (Kernels kernels : {Kernels::kAten, Kernels::kFast}) {
    EXPECT_THROW(DepthwiseConv2d(torch::randn({1, 4, 5, 5}), torch::randn({3, 1, 3, 3}),
                                 DepthwiseConv2dOptions(), kernels),
                 c10::Error);
  }
}

}  // namespace
}  // namespace mdenas
