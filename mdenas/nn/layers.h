// The convolution and linear layers every network of the space is built
// from: libtorch's, plus a count of multiply-accumulates while a MacCounter
// is active on the thread; and the parameter count. The two sizes of the
// paper tables.

#ifndef MDENAS_NN_LAYERS_H_
#define MDENAS_NN_LAYERS_H_

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace mdenas {

// Sums the multiply-accumulates of the CountedConv2d and CountedLinear
// forward passes run on this thread during its lifetime. Counters nest; the
// innermost one counts.
class MacCounter {
 public:
  MacCounter();
  ~MacCounter();
  MacCounter(const MacCounter&) = delete;
  MacCounter& operator=(const MacCounter&) = delete;

  int64_t total() const { return total_; }

  // Adds `macs` to the thread's active counter, if there is one.
  static void Add(int64_t macs);

 private:
  MacCounter* previous_;
  int64_t total_ = 0;
};

class CountedConv2dImpl : public torch::nn::Conv2dImpl {
 public:
  explicit CountedConv2dImpl(const torch::nn::Conv2dOptions& options)
      : Conv2dImpl(options) {}
  torch::Tensor forward(const torch::Tensor& input);
  // Counts an output of `output_elements` that a fused kernel computed
  // with this layer's weight instead of forward().
  void CountMacs(int64_t output_elements) const;
};
TORCH_MODULE(CountedConv2d);

class CountedLinearImpl : public torch::nn::LinearImpl {
 public:
  explicit CountedLinearImpl(const torch::nn::LinearOptions& options)
      : LinearImpl(options) {}
  torch::Tensor forward(const torch::Tensor& input);
};
TORCH_MODULE(CountedLinear);

// A bias-free convolution, the only kind the cells use.
CountedConv2d Conv(int64_t in_channels, int64_t out_channels, int64_t kernel,
                   int64_t stride = 1, int64_t padding = 0,
                   int64_t dilation = 1, int64_t groups = 1);

// Parameters of `module`, without those of modules named `auxiliary*` (the
// DARTS convention for reported sizes) unless `include_auxiliary`.
int64_t CountParameters(const torch::nn::Module& module,
                        bool include_auxiliary);

}  // namespace mdenas

#endif  // MDENAS_NN_LAYERS_H_
