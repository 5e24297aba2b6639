#include "mdenas/kernels/kernel_test_util.h"

#include <sstream>

#include <torch/torch.h>

namespace mdenas {

at::Tensor GradientPattern(const at::Tensor& output) {
  return torch::sin(torch::arange(output.numel(), output.options()) * 0.37 + 0.1)
      .reshape(output.sizes())
      .contiguous(output.suggest_memory_format());
}

at::Tensor InLayout(const at::Tensor& tensor, Layout layout) {
  switch (layout) {
    case Layout::kNchw:
      return tensor.contiguous();
    case Layout::kChannelsLast:
      return tensor.contiguous(at::MemoryFormat::ChannelsLast);
    case Layout::kChannelSlice: {
      const int64_t c = tensor.size(1);
      at::Tensor wide = torch::zeros({tensor.size(0), c + 5, tensor.size(2), tensor.size(3)},
                                     tensor.options())
                            .contiguous(at::MemoryFormat::ChannelsLast);
      wide.slice(1, 2, 2 + c).copy_(tensor);
      return wide.slice(1, 2, 2 + c);
    }
  }
  return tensor;
}

const char* LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kNchw:
      return "NCHW";
    case Layout::kChannelsLast:
      return "channels-last";
    case Layout::kChannelSlice:
      return "channel slice";
  }
  return "?";
}

ForwardBackward RunWithGradients(const TensorFunction& fn,
                                 const std::vector<at::Tensor>& inputs, int threads) {
  const int previous_threads = at::get_num_threads();
  at::set_num_threads(threads);
  // ATen's reference runs on ATen's own convolutions, not oneDNN's: Debian's
  // libtorch's oneDNN convolution backward writes past the end of small
  // gradients on some machines (valgrind, fused_cell_test_baseline on an
  // AMD EPYC: "Invalid write of size 8 ... 0 bytes after a block of size
  // 256" under at::native::convolution_backward), and on two threads with
  // its AVX-512 kernels it corrupts the heap (conv_bn_test's factorized
  // reduce in ATen alone, channels-last: glibc's "corrupted size vs.
  // prev_size"; clean on one thread, or with DNNL_MAX_CPU_ISA=AVX2). The
  // fast kernels never call oneDNN.
  const bool previous_mkldnn = at::globalContext().userEnabledMkldnn();
  at::globalContext().setUserEnabledMkldnn(false);
  std::vector<at::Tensor> leaves;
  for (const at::Tensor& input : inputs) {
    // A detached alias keeps the input's strides (channel slices included).
    leaves.push_back(input.detach().requires_grad_(true));
  }
  ForwardBackward result;
  result.output = fn(leaves);
  result.output.backward(GradientPattern(result.output));
  for (const at::Tensor& leaf : leaves) result.grads.push_back(leaf.grad());
  at::globalContext().setUserEnabledMkldnn(previous_mkldnn);
  at::set_num_threads(previous_threads);
  return result;
}

testing::AssertionResult TensorsNear(const at::Tensor& actual,
                                     const at::Tensor& expected, double rtol,
                                     double atol) {
  if (!actual.defined() || !expected.defined()) {
    return testing::AssertionFailure()
           << (actual.defined() ? "expected" : "actual") << " is undefined";
  }
  if (actual.sizes() != expected.sizes()) {
    return testing::AssertionFailure() << "shape " << actual.sizes()
                                       << ", expected " << expected.sizes();
  }
  const at::Tensor a = actual.detach().to(torch::kDouble);
  const at::Tensor e = expected.detach().to(torch::kDouble);
  const at::Tensor excess = (a - e).abs() - (atol + rtol * e.abs());
  if (excess.numel() == 0 || excess.max().item<double>() <= 0) {
    return testing::AssertionSuccess();
  }
  const int64_t worst = excess.flatten().argmax().item<int64_t>();
  return testing::AssertionFailure()
         << "element " << worst << " is " << a.flatten()[worst].item<double>()
         << ", expected " << e.flatten()[worst].item<double>() << " (max |diff| "
         << (a - e).abs().max().item<double>() << ", shape " << actual.sizes() << ")";
}

BatchNormArgs RandomBatchNorm(int64_t channels, bool training,
                              const at::TensorOptions& options) {
  BatchNormArgs bn;
  bn.running_mean = torch::randn({channels}, options);
  bn.running_var = torch::rand({channels}, options) + 0.5;
  bn.num_batches_tracked = torch::zeros({}, torch::kLong);
  bn.training = training;
  return bn;
}

BatchNormArgs CopyOf(const BatchNormArgs& bn) {
  BatchNormArgs copy = bn;
  copy.running_mean = bn.running_mean.clone();
  copy.running_var = bn.running_var.clone();
  copy.num_batches_tracked = bn.num_batches_tracked.clone();
  return copy;
}

testing::AssertionResult RunningStatsNear(const BatchNormArgs& actual,
                                          const BatchNormArgs& expected) {
  testing::AssertionResult mean = TensorsNear(actual.running_mean, expected.running_mean, 1e-4, 1e-5);
  if (!mean) return mean << " (running mean)";
  testing::AssertionResult var = TensorsNear(actual.running_var, expected.running_var, 1e-4, 1e-5);
  if (!var) return var << " (running variance)";
  if (!torch::equal(actual.num_batches_tracked, expected.num_batches_tracked)) {
    return testing::AssertionFailure()
           << "num_batches_tracked " << actual.num_batches_tracked.item<int64_t>()
           << ", expected " << expected.num_batches_tracked.item<int64_t>();
  }
  return testing::AssertionSuccess();
}

testing::AssertionResult GradientsMatchFiniteDifferences(
    const TensorFunction& fn, const std::vector<at::Tensor>& inputs,
    double step, double tolerance) {
  const ForwardBackward analytic = RunWithGradients(fn, inputs);
  const at::Tensor pattern = GradientPattern(analytic.output);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<at::Tensor> probe;
    for (const at::Tensor& input : inputs) probe.push_back(input.contiguous().clone());
    at::Tensor numeric = torch::zeros_like(probe[i]);
    for (int64_t j = 0; j < probe[i].numel(); ++j) {
      const double original = probe[i].view({-1})[j].item<double>();
      auto value_at = [&](double x) {
        probe[i].view({-1}).index_put_({j}, x);
        return (fn(probe) * pattern).sum().item<double>();
      };
      const double plus = value_at(original + step);
      const double minus = value_at(original - step);
      value_at(original);
      numeric.view({-1}).index_put_({j}, (plus - minus) / (2 * step));
    }
    testing::AssertionResult near = TensorsNear(analytic.grads[i], numeric, tolerance, tolerance);
    if (!near) return near << " (gradient of input " << i << ")";
  }
  return testing::AssertionSuccess();
}

}  // namespace mdenas
