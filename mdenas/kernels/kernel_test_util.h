// What the kernel tests share: running a function with gradients, comparing
// tensors with a useful message, and a finite-difference gradient check in
// double precision (torch.autograd.gradcheck's method).

#ifndef MDENAS_KERNELS_KERNEL_TEST_UTIL_H_
#define MDENAS_KERNELS_KERNEL_TEST_UTIL_H_

#include <functional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "gtest/gtest.h"
#include "mdenas/kernels/batch_norm_args.h"

namespace mdenas {

using TensorFunction = std::function<at::Tensor(const std::vector<at::Tensor>&)>;

// A fixed, shape-determined upstream gradient for `output`, in its memory
// format.
at::Tensor GradientPattern(const at::Tensor& output);

// How an input tensor is laid out in memory: the kernels must accept all.
enum class Layout {
  kNchw,
  kChannelsLast,
  // Channels [2, 2 + C) of a wider channels-last tensor, as a cell's
  // concatenated output hands them on.
  kChannelSlice,
};
inline constexpr Layout kAllLayouts[] = {Layout::kNchw, Layout::kChannelsLast,
                                         Layout::kChannelSlice};

// `tensor`'s values in `layout`.
at::Tensor InLayout(const at::Tensor& tensor, Layout layout);
const char* LayoutName(Layout layout);

struct ForwardBackward {
  at::Tensor output;
  // One per input; undefined where the input got no gradient.
  std::vector<at::Tensor> grads;
};

// The tests run the fast kernels on two intra-op threads, so that their
// parallel paths run (where a shape has work for two), and ATen's
// reference on one: it has no parallel paths of ours to test.
inline constexpr int kFastThreads = 2;
inline constexpr int kReferenceThreads = 1;

// Calls `fn` on `threads` intra-op threads on detached aliases of `inputs`
// that require gradients and backpropagates GradientPattern(output).
ForwardBackward RunWithGradients(const TensorFunction& fn,
                                 const std::vector<at::Tensor>& inputs,
                                 int threads = kReferenceThreads);

// |actual - expected| <= atol + rtol * |expected| everywhere, same shape.
testing::AssertionResult TensorsNear(const at::Tensor& actual,
                                     const at::Tensor& expected, double rtol,
                                     double atol);

// A BatchNorm over `channels` with random running statistics, without
// affine parameters (a test passes them in as inputs to get gradients).
BatchNormArgs RandomBatchNorm(int64_t channels, bool training,
                              const at::TensorOptions& options);

// `bn` with its own copies of the running statistics.
BatchNormArgs CopyOf(const BatchNormArgs& bn);

// Running statistics and batch counts agree.
testing::AssertionResult RunningStatsNear(const BatchNormArgs& actual,
                                          const BatchNormArgs& expected);

// The gradients of sum(fn(inputs) * GradientPattern) that autograd gives
// equal central finite differences. `inputs` are double tensors.
testing::AssertionResult GradientsMatchFiniteDifferences(
    const TensorFunction& fn, const std::vector<at::Tensor>& inputs,
    double step = 1e-6, double tolerance = 1e-5);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_KERNEL_TEST_UTIL_H_
