#include "mdenas/kernels/fast_stages.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>

#include <cmath>
#include <vector>

namespace mdenas {
namespace {

PixelMatrix EmptyLike(const PixelMatrix& like, int64_t channels, int64_t height,
                      int64_t width) {
  return EmptyPixelMatrix(like.batch(), channels, height, width,
                          like.tensor.options());
}

// The geometry of a pointwise pass over `m`'s pixels (kernel 1, stride 1).
WindowGeometry PixelsOf(const PixelMatrix& m, int64_t channels) {
  WindowGeometry g;
  g.batch = m.batch();
  g.height = m.height();
  g.width = m.width();
  g.channels = channels;
  g.kernel = 1;
  return g;
}

template <typename T>
at::Tensor VectorTensor(const std::vector<double>& values,
                        const at::TensorOptions& options) {
  at::Tensor t = at::empty({static_cast<int64_t>(values.size())}, options);
  T* data = t.data_ptr<T>();
  for (size_t i = 0; i < values.size(); ++i) data[i] = static_cast<T>(values[i]);
  return t;
}

std::vector<double> DoubleValues(const at::Tensor& t) {
  const at::Tensor d = t.to(at::kDouble).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

}  // namespace

WindowGeometry WindowOf(const PixelMatrix& input, int64_t kernel,
                        int64_t stride, int64_t padding, int64_t dilation) {
  WindowGeometry g;
  g.batch = input.batch();
  g.height = input.height();
  g.width = input.width();
  g.channels = input.channels();
  g.kernel = kernel;
  g.stride = stride;
  g.padding = padding;
  g.dilation = dilation;
  TORCH_CHECK(g.out_height() > 0 && g.out_width() > 0, "a ", kernel, "x",
              kernel, " window (dilation ", dilation, ", padding ", padding,
              ") does not fit a ", g.height, "x", g.width, " input");
  return g;
}

at::Tensor PackDepthwiseWeight(const at::Tensor& weight) {
  TORCH_CHECK(weight.dim() == 4 && weight.size(1) == 1 &&
                  weight.size(2) == weight.size(3),
              "a depthwise weight is [C, 1, k, k], got ", weight.sizes());
  return weight.reshape({weight.size(0), -1}).t().contiguous();
}

PixelMatrix DepthwiseForward(const PixelMatrix& input, bool relu_input,
                             const at::Tensor& packed_weight,
                             const WindowGeometry& g) {
  PixelMatrix output = EmptyLike(input, g.channels, g.out_height(), g.out_width());
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "DepthwiseForward", [&] {
    CpuKernels<scalar_t>().depthwise_forward(
        g, input.data<scalar_t>(), input.ld, relu_input,
        packed_weight.data_ptr<scalar_t>(), output.data<scalar_t>(), output.ld);
  });
  return output;
}

PixelMatrix DepthwiseBackwardInput(const PixelMatrix& grad_output,
                                   const at::Tensor& packed_weight,
                                   const PixelMatrix* relu_input,
                                   const WindowGeometry& g) {
  PixelMatrix grad_input = EmptyLike(grad_output, g.channels, g.height, g.width);
  AT_DISPATCH_FLOATING_TYPES(grad_output.tensor.scalar_type(), "DepthwiseBackwardInput", [&] {
    CpuKernels<scalar_t>().depthwise_backward_input(
        g, grad_output.data<scalar_t>(), grad_output.ld,
        packed_weight.data_ptr<scalar_t>(),
        relu_input ? relu_input->data<scalar_t>() : nullptr,
        relu_input ? relu_input->ld : 0, grad_input.data<scalar_t>(),
        grad_input.ld);
  });
  return grad_input;
}

at::Tensor DepthwiseBackwardWeight(const PixelMatrix& grad_output,
                                   const PixelMatrix& input, bool relu_input,
                                   const WindowGeometry& g) {
  at::Tensor packed = at::empty({g.kernel * g.kernel, g.channels},
                                input.tensor.options().memory_format(at::MemoryFormat::Contiguous));
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "DepthwiseBackwardWeight", [&] {
    CpuKernels<scalar_t>().depthwise_backward_weight(
        g, grad_output.data<scalar_t>(), grad_output.ld, input.data<scalar_t>(),
        input.ld, relu_input, packed.data_ptr<scalar_t>());
  });
  return packed.t().reshape({g.channels, 1, g.kernel, g.kernel});
}

void Conv1x1Forward(const PixelMatrix& input, const at::Tensor& weight,
                    const PixelMatrix& output, int64_t first_channel) {
  const int64_t out_channels = weight.size(0), in_channels = weight.size(1);
  TORCH_CHECK(in_channels == input.channels(), "a 1x1 weight ", weight.sizes(),
              " for ", input.channels(), " input channels");
  // B = W^T [C_in, C_out].
  const at::Tensor b = weight.reshape({out_channels, in_channels}).t().contiguous();
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "Conv1x1Forward", [&] {
    CpuKernels<scalar_t>().gemm(input.rows(), out_channels, in_channels,
                                input.data<scalar_t>(), input.ld, 1,
                                b.data_ptr<scalar_t>(), out_channels,
                                output.data<scalar_t>() + first_channel, output.ld);
  });
}

PixelMatrix Conv1x1BackwardInput(const PixelMatrix& grad_output,
                                 int64_t first_channel,
                                 const at::Tensor& weight) {
  const int64_t out_channels = weight.size(0), in_channels = weight.size(1);
  const at::Tensor b = weight.reshape({out_channels, in_channels}).contiguous();
  PixelMatrix grad_input = EmptyLike(grad_output, in_channels,
                                     grad_output.height(), grad_output.width());
  AT_DISPATCH_FLOATING_TYPES(grad_output.tensor.scalar_type(), "Conv1x1BackwardInput", [&] {
    CpuKernels<scalar_t>().gemm(grad_output.rows(), in_channels, out_channels,
                                grad_output.data<scalar_t>() + first_channel,
                                grad_output.ld, 1, b.data_ptr<scalar_t>(),
                                in_channels, grad_input.data<scalar_t>(),
                                grad_input.ld);
  });
  return grad_input;
}

at::Tensor Conv1x1BackwardWeight(const PixelMatrix& grad_output,
                                 int64_t first_channel,
                                 const PixelMatrix& input,
                                 const at::Tensor& weight) {
  const int64_t out_channels = weight.size(0), in_channels = weight.size(1);
  at::Tensor grad = at::empty({out_channels, in_channels, 1, 1},
                              weight.options().memory_format(at::MemoryFormat::Contiguous));
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "Conv1x1BackwardWeight", [&] {
    // grad[o][i] = sum over pixels p of grad_output[p][o] * input[p][i].
    CpuKernels<scalar_t>().gemm(out_channels, in_channels, input.rows(),
                                grad_output.data<scalar_t>() + first_channel, 1,
                                grad_output.ld, input.data<scalar_t>(), input.ld,
                                grad.data_ptr<scalar_t>(), in_channels);
  });
  return grad;
}

BatchNormSaved BatchNormForward(const PixelMatrix& input,
                                const BatchNormArgs& bn,
                                const PixelMatrix& output) {
  const int64_t rows = input.rows(), channels = input.channels();
  std::vector<double> mean(channels), variance(channels);
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "BatchNormMoments", [&] {
    if (bn.training) {
      CpuKernels<scalar_t>().column_moments(rows, channels, input.data<scalar_t>(),
                                            input.ld, mean.data(), variance.data());
    }
  });
  if (bn.training) {
    at::NoGradGuard no_grad;
    const at::TensorOptions stats = bn.running_mean.options();
    const double unbiased = rows > 1 ? static_cast<double>(rows) / (rows - 1) : NAN;
    std::vector<double> unbiased_variance(variance);
    for (double& v : unbiased_variance) v *= unbiased;
    bn.running_mean.mul_(1 - bn.momentum)
        .add_(at::tensor(mean, stats.dtype(at::kDouble)).to(stats), bn.momentum);
    bn.running_var.mul_(1 - bn.momentum)
        .add_(at::tensor(unbiased_variance, stats.dtype(at::kDouble)).to(stats), bn.momentum);
    bn.num_batches_tracked.add_(1);
  } else {
    mean = DoubleValues(bn.running_mean);
    variance = DoubleValues(bn.running_var);
  }
  const std::vector<double> gamma =
      bn.weight.defined() ? DoubleValues(bn.weight) : std::vector<double>(channels, 1.0);
  const std::vector<double> beta =
      bn.bias.defined() ? DoubleValues(bn.bias) : std::vector<double>(channels, 0.0);
  std::vector<double> invstd(channels), scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; ++c) {
    invstd[c] = 1.0 / std::sqrt(variance[c] + bn.eps);
    scale[c] = gamma[c] * invstd[c];
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  BatchNormSaved saved;
  saved.training = bn.training;
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "BatchNormForward", [&] {
    const at::TensorOptions options = input.tensor.options().memory_format(at::MemoryFormat::Contiguous);
    saved.mean = VectorTensor<scalar_t>(mean, options);
    saved.invstd = VectorTensor<scalar_t>(invstd, options);
    const at::Tensor scale_t = VectorTensor<scalar_t>(scale, options);
    const at::Tensor shift_t = VectorTensor<scalar_t>(shift, options);
    CpuKernels<scalar_t>().column_combine(
        rows, channels, input.data<scalar_t>(), input.ld,
        scale_t.data_ptr<scalar_t>(), nullptr, 0, nullptr,
        shift_t.data_ptr<scalar_t>(), output.data<scalar_t>(), output.ld);
  });
  return saved;
}

BatchNormGradients BatchNormBackward(const PixelMatrix& grad_output,
                                     const PixelMatrix& input,
                                     const BatchNormSaved& saved,
                                     const at::Tensor& weight) {
  const int64_t rows = input.rows(), channels = input.channels();
  const std::vector<double> mean = DoubleValues(saved.mean);
  const std::vector<double> invstd = DoubleValues(saved.invstd);
  const std::vector<double> gamma =
      weight.defined() ? DoubleValues(weight) : std::vector<double>(channels, 1.0);
  std::vector<double> sum_dy(channels), sum_dy_centered(channels);
  BatchNormGradients grads;
  grads.input = EmptyLike(input, channels, input.height(), input.width());
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "BatchNormBackward", [&] {
    const CpuKernelTable<scalar_t>& kernels = CpuKernels<scalar_t>();
    kernels.column_gradient_sums(rows, channels, grad_output.data<scalar_t>(),
                                 grad_output.ld, input.data<scalar_t>(), input.ld,
                                 saved.mean.data_ptr<scalar_t>(), sum_dy.data(),
                                 sum_dy_centered.data());
    // d input = dy * a + input * b + d, per channel: the batch-statistics
    // terms (b, d) vanish in evaluation mode.
    std::vector<double> a(channels), b(channels, 0.0), d(channels, 0.0);
    for (int64_t c = 0; c < channels; ++c) {
      a[c] = gamma[c] * invstd[c];
      if (saved.training) {
        b[c] = -a[c] * invstd[c] * invstd[c] * sum_dy_centered[c] / rows;
        d[c] = -a[c] * sum_dy[c] / rows - mean[c] * b[c];
      }
    }
    const at::TensorOptions options = input.tensor.options().memory_format(at::MemoryFormat::Contiguous);
    const at::Tensor a_t = VectorTensor<scalar_t>(a, options);
    const at::Tensor b_t = VectorTensor<scalar_t>(b, options);
    const at::Tensor d_t = VectorTensor<scalar_t>(d, options);
    kernels.column_combine(rows, channels, grad_output.data<scalar_t>(),
                           grad_output.ld, a_t.data_ptr<scalar_t>(),
                           saved.training ? input.data<scalar_t>() : nullptr,
                           input.ld, b_t.data_ptr<scalar_t>(),
                           d_t.data_ptr<scalar_t>(),
                           grads.input.data<scalar_t>(), grads.input.ld);
    if (weight.defined()) {
      std::vector<double> grad_weight(channels);
      for (int64_t c = 0; c < channels; ++c) grad_weight[c] = sum_dy_centered[c] * invstd[c];
      grads.weight = VectorTensor<scalar_t>(grad_weight, weight.options());
      grads.bias = VectorTensor<scalar_t>(sum_dy, weight.options());
    }
  });
  return grads;
}

PixelMatrix PoolForward(PoolKind kind, const PixelMatrix& input,
                        const WindowGeometry& g) {
  PixelMatrix output = EmptyLike(input, g.channels, g.out_height(), g.out_width());
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "PoolForward", [&] {
    CpuKernels<scalar_t>().pool_forward(kind, g, input.data<scalar_t>(), input.ld,
                                        output.data<scalar_t>(), output.ld);
  });
  return output;
}

PixelMatrix PoolBackward(PoolKind kind, const PixelMatrix& input,
                         const PixelMatrix& grad_output,
                         const WindowGeometry& g) {
  PixelMatrix grad_input = EmptyLike(input, g.channels, g.height, g.width);
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "PoolBackward", [&] {
    CpuKernels<scalar_t>().pool_backward(
        kind, g, input.data<scalar_t>(), input.ld, grad_output.data<scalar_t>(),
        grad_output.ld, grad_input.data<scalar_t>(), grad_input.ld);
  });
  return grad_input;
}

PixelMatrix GatherRelu(const PixelMatrix& input, int64_t stride,
                       int64_t offset) {
  WindowGeometry g = PixelsOf(input, input.channels());
  g.stride = stride;
  PixelMatrix output =
      EmptyLike(input, input.channels(), GatheredSize(g.height, stride, offset),
                GatheredSize(g.width, stride, offset));
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "GatherRelu", [&] {
    CpuKernels<scalar_t>().gather_relu(g, offset, input.data<scalar_t>(), input.ld,
                                       output.data<scalar_t>(), output.ld);
  });
  return output;
}

void ScatterReluGradient(const PixelMatrix& grad_output,
                         const PixelMatrix& input, int64_t stride,
                         int64_t offset, const PixelMatrix& grad_input) {
  WindowGeometry g = PixelsOf(input, input.channels());
  g.stride = stride;
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "ScatterReluGradient", [&] {
    CpuKernels<scalar_t>().scatter_relu_gradient(
        g, offset, grad_output.data<scalar_t>(), grad_output.ld,
        input.data<scalar_t>(), input.ld, grad_input.data<scalar_t>(),
        grad_input.ld);
  });
}

}  // namespace mdenas
