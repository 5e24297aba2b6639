#include "mdenas/kernels/pixel_matrix_ops.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace mdenas {
namespace {

PixelMatrix EmptyLike(const PixelMatrix& like, int64_t channels, int64_t height,
                      int64_t width) {
  return EmptyPixelMatrix(like.batch(), channels, height, width,
                          like.tensor.options());
}

// The per-channel vectors move between tensors and double vectors by plain
// loops: a BatchNorm moves several per step, and ATen's tensor() and to()
// cost several operator calls each.
at::Tensor VectorTensor(const std::vector<double>& values,
                        const at::TensorOptions& options) {
  at::Tensor t = at::empty({static_cast<int64_t>(values.size())},
                           options.memory_format(at::MemoryFormat::Contiguous));
  AT_DISPATCH_FLOATING_TYPES(t.scalar_type(), "VectorTensor", [&] {
    std::copy(values.begin(), values.end(), t.data_ptr<scalar_t>());
  });
  return t;
}

std::vector<double> DoubleValues(const at::Tensor& t) {
  const at::Tensor c = t.is_contiguous() ? t : t.contiguous();
  std::vector<double> values;
  AT_DISPATCH_FLOATING_TYPES(c.scalar_type(), "DoubleValues", [&] {
    values.assign(c.data_ptr<scalar_t>(), c.data_ptr<scalar_t>() + c.numel());
  });
  return values;
}

// running = (1 - momentum) * running + momentum * batch, in place.
void UpdateRunningStatistic(const at::Tensor& running,
                            const std::vector<double>& batch, double momentum) {
  TORCH_CHECK(running.is_contiguous() &&
                  running.numel() == static_cast<int64_t>(batch.size()),
              "a running statistic of ", running.sizes(), " for ", batch.size(),
              " channels");
  AT_DISPATCH_FLOATING_TYPES(running.scalar_type(), "UpdateRunningStatistic", [&] {
    scalar_t* data = running.data_ptr<scalar_t>();
    for (size_t c = 0; c < batch.size(); ++c) {
      data[c] = static_cast<scalar_t>((1 - momentum) * data[c] + momentum * batch[c]);
    }
  });
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
  // A loop rather than ATen's transpose and copy: it runs for every
  // depthwise convolution of every step, and ATen's operators cost more to
  // call than this costs to run.
  const at::Tensor w = weight.is_contiguous() ? weight : weight.contiguous();
  const int64_t channels = w.size(0), taps = w.size(2) * w.size(3);
  at::Tensor packed = at::empty({taps, channels}, w.options());
  AT_DISPATCH_FLOATING_TYPES(w.scalar_type(), "PackDepthwiseWeight", [&] {
    const scalar_t* from = w.data_ptr<scalar_t>();
    scalar_t* to = packed.data_ptr<scalar_t>();
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t t = 0; t < taps; ++t) to[t * channels + c] = from[c * taps + t];
    }
  });
  return packed;
}

PixelMatrix DepthwiseForward(const PixelMatrix& input,
                             const at::Tensor& packed_weight,
                             const WindowGeometry& g) {
  PixelMatrix output = EmptyLike(input, g.channels, g.out_height(), g.out_width());
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "DepthwiseForward", [&] {
    CpuKernels<scalar_t>().depthwise_forward(
        g, input.data<scalar_t>(), input.ld, /*relu_input=*/false,
        packed_weight.data_ptr<scalar_t>(), output.data<scalar_t>(), output.ld);
  });
  return output;
}

PixelMatrix DepthwiseBackwardInput(const PixelMatrix& grad_output,
                                   const at::Tensor& packed_weight,
                                   const WindowGeometry& g) {
  PixelMatrix grad_input = EmptyLike(grad_output, g.channels, g.height, g.width);
  AT_DISPATCH_FLOATING_TYPES(grad_output.tensor.scalar_type(), "DepthwiseBackwardInput", [&] {
    CpuKernels<scalar_t>().depthwise_backward_input(
        g, grad_output.data<scalar_t>(), grad_output.ld,
        packed_weight.data_ptr<scalar_t>(), /*relu_input=*/nullptr, 0,
        grad_input.data<scalar_t>(), grad_input.ld, /*grad_base=*/nullptr, 0);
  });
  return grad_input;
}

at::Tensor DepthwiseBackwardWeight(const PixelMatrix& grad_output,
                                   const PixelMatrix& input,
                                   const WindowGeometry& g) {
  at::Tensor packed = at::empty({g.kernel * g.kernel, g.channels},
                                input.tensor.options().memory_format(at::MemoryFormat::Contiguous));
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "DepthwiseBackwardWeight", [&] {
    CpuKernels<scalar_t>().depthwise_backward_weight(
        g, grad_output.data<scalar_t>(), grad_output.ld, input.data<scalar_t>(),
        input.ld, /*relu_input=*/false, packed.data_ptr<scalar_t>());
  });
  return packed.t().reshape({g.channels, 1, g.kernel, g.kernel});
}

Moments ColumnMoments(const PixelMatrix& x) {
  Moments moments;
  moments.count = x.rows();
  moments.mean.resize(x.channels());
  moments.variance.resize(x.channels());
  AT_DISPATCH_FLOATING_TYPES(x.tensor.scalar_type(), "ColumnMoments", [&] {
    CpuKernels<scalar_t>().column_moments(x.rows(), x.channels(), x.data<scalar_t>(), x.ld,
                                          moments.mean.data(), moments.variance.data());
  });
  return moments;
}

Moments MergeImageMoments(const std::vector<double>& means,
                          const std::vector<double>& variances, int64_t images,
                          int64_t channels, int64_t count) {
  Moments merged;
  merged.count = images * count;
  merged.mean.assign(channels, 0.0);
  merged.variance.assign(channels, 0.0);
  for (int64_t n = 0; n < images; ++n) {
    for (int64_t c = 0; c < channels; ++c) merged.mean[c] += means[n * channels + c];
  }
  for (double& m : merged.mean) m /= static_cast<double>(images);
  for (int64_t n = 0; n < images; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const double d = means[n * channels + c] - merged.mean[c];
      merged.variance[c] += variances[n * channels + c] + d * d;
    }
  }
  for (double& v : merged.variance) v /= static_cast<double>(images);
  return merged;
}

BatchNormMap BatchNormMapOf(const Moments& batch, const BatchNormArgs& bn,
                            const at::TensorOptions& options) {
  std::vector<double> mean, variance;
  if (bn.training) {
    mean = batch.mean;
    variance = batch.variance;
    c10::NoGradGuard no_grad;
    const double unbiased =
        batch.count > 1 ? static_cast<double>(batch.count) / (batch.count - 1) : NAN;
    std::vector<double> unbiased_variance(variance);
    for (double& v : unbiased_variance) v *= unbiased;
    UpdateRunningStatistic(bn.running_mean, mean, bn.momentum);
    UpdateRunningStatistic(bn.running_var, unbiased_variance, bn.momentum);
    bn.num_batches_tracked.add_(1);
  } else {
    mean = DoubleValues(bn.running_mean);
    variance = DoubleValues(bn.running_var);
  }
  const size_t channels = mean.size();
  const std::vector<double> gamma =
      bn.weight.defined() ? DoubleValues(bn.weight) : std::vector<double>(channels, 1.0);
  const std::vector<double> beta =
      bn.bias.defined() ? DoubleValues(bn.bias) : std::vector<double>(channels, 0.0);
  std::vector<double> invstd(channels), scale(channels), shift(channels);
  for (size_t c = 0; c < channels; ++c) {
    invstd[c] = 1.0 / std::sqrt(variance[c] + bn.eps);
    scale[c] = gamma[c] * invstd[c];
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  const at::TensorOptions vector_options = options.memory_format(at::MemoryFormat::Contiguous);
  BatchNormMap map;
  map.scale = VectorTensor(scale, vector_options);
  map.shift = VectorTensor(shift, vector_options);
  map.saved.mean = VectorTensor(mean, vector_options);
  map.saved.invstd = VectorTensor(invstd, vector_options);
  map.saved.training = bn.training;
  return map;
}

BatchNormGradientMap BatchNormGradientMapOf(const PixelMatrix& grad_output,
                                            const PixelMatrix& input,
                                            const BatchNormSaved& saved,
                                            const at::Tensor& weight) {
  const int64_t channels = input.channels();
  // Per channel, the sums of dy and of dy * (x - mean), or of dy * y where
  // saved.reads_output: the output y is centred already.
  GradientSums sums = {std::vector<double>(channels), std::vector<double>(channels)};
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "BatchNormGradientSums", [&] {
    const std::vector<scalar_t> zeros(saved.reads_output ? channels : 0);
    CpuKernels<scalar_t>().column_gradient_sums(
        input.rows(), channels, grad_output.data<scalar_t>(), grad_output.ld,
        input.data<scalar_t>(), input.ld,
        saved.reads_output ? zeros.data() : saved.mean.data_ptr<scalar_t>(), sums.dy.data(),
        sums.dy_v.data());
  });
  return BatchNormGradientMapOf(sums, input.rows(), saved, weight);
}

BatchNormGradientMap BatchNormGradientMapOf(const GradientSums& sums, int64_t count,
                                            const BatchNormSaved& saved,
                                            const at::Tensor& weight) {
  const std::vector<double> mean = DoubleValues(saved.mean);
  const std::vector<double> invstd = DoubleValues(saved.invstd);
  const int64_t channels = static_cast<int64_t>(mean.size());
  TORCH_CHECK(!saved.reads_output || !weight.defined(),
              "a batch norm with affine parameters keeps its input for the gradient");
  TORCH_CHECK(static_cast<int64_t>(sums.dy.size()) == channels &&
                  static_cast<int64_t>(sums.dy_v.size()) == channels,
              "gradient sums of ", sums.dy.size(), " channels for a batch norm of ", channels);
  const std::vector<double> gamma =
      weight.defined() ? DoubleValues(weight) : std::vector<double>(channels, 1.0);
  const std::vector<double>& sum_dy = sums.dy;
  // The sums of dy * x_hat, where x_hat = (x - mean) * invstd is the
  // normalised input: the output itself where saved.reads_output.
  std::vector<double> sum_dy_xhat = sums.dy_v;
  if (!saved.reads_output) {
    for (int64_t c = 0; c < channels; ++c) sum_dy_xhat[c] *= invstd[c];
  }
  const double rows = static_cast<double>(count);
  // d input = dy * a + x_hat * xhat_scale + shift, written as a map of the
  // output (x_hat itself) or of the input x centred by its mean; the
  // batch-statistics terms vanish in evaluation mode.
  std::vector<double> a(channels), b(channels, 0.0), d(channels, 0.0);
  for (int64_t c = 0; c < channels; ++c) {
    a[c] = gamma[c] * invstd[c];
    if (saved.training) {
      const double xhat_scale = -a[c] * sum_dy_xhat[c] / rows;
      d[c] = -a[c] * sum_dy[c] / rows;
      if (saved.reads_output) {
        b[c] = xhat_scale;
      } else {
        b[c] = xhat_scale * invstd[c];
      }
    }
  }
  const at::TensorOptions options = saved.mean.options();
  BatchNormGradientMap map;
  map.dy_scale = VectorTensor(a, options);
  if (!saved.reads_output) map.center = saved.mean;
  map.input_scale = VectorTensor(b, options);
  map.shift = VectorTensor(d, options);
  map.uses_input = saved.training;
  if (weight.defined()) {
    map.weight = VectorTensor(sum_dy_xhat, weight.options());
    map.bias = VectorTensor(sum_dy, weight.options());
  }
  return map;
}

void ApplyChannelMap(const PixelMatrix& u, const at::Tensor& scale,
                     const PixelMatrix* v, const at::Tensor& v_center,
                     const at::Tensor& v_scale, const at::Tensor& shift,
                     const PixelMatrix& out) {
  AT_DISPATCH_FLOATING_TYPES(u.tensor.scalar_type(), "ApplyChannelMap", [&] {
    CpuKernels<scalar_t>().column_combine(
        u.rows(), u.channels(), u.data<scalar_t>(), u.ld, scale.data_ptr<scalar_t>(),
        v ? v->data<scalar_t>() : nullptr, v ? v->ld : 0,
        v && v_center.defined() ? v_center.data_ptr<scalar_t>() : nullptr,
        v ? v_scale.data_ptr<scalar_t>() : nullptr, shift.data_ptr<scalar_t>(),
        out.data<scalar_t>(), out.ld);
  });
}

PixelMatrix FinishBatchNorm(const PixelMatrix& values, const at::Tensor& weight,
                            BatchNormOutput output, BatchNormMap* map) {
  if (output == BatchNormOutput::kDeferred) {
    map->saved.reads_output = false;
    return values;
  }
  // Without affine parameters the output determines the input, so the
  // input need not be kept: one activation less.
  map->saved.reads_output = !weight.defined();
  const PixelMatrix normalised =
      map->saved.reads_output
          ? values
          : EmptyLike(values, values.channels(), values.height(), values.width());
  ApplyChannelMap(values, map->scale, nullptr, at::Tensor(), at::Tensor(), map->shift,
                  normalised);
  return normalised;
}

BatchNormSaved BatchNormForward(const PixelMatrix& input, const BatchNormArgs& bn,
                                BatchNormActivation activation, const PixelMatrix& output) {
  const BatchNormMap map =
      BatchNormMapOf(bn.training ? ColumnMoments(input) : Moments(), bn, input.tensor.options());
  if (activation == BatchNormActivation::kNone) {
    ApplyChannelMap(input, map.scale, nullptr, at::Tensor(), at::Tensor(), map.shift, output);
    return map.saved;
  }
  AT_DISPATCH_FLOATING_TYPES(input.tensor.scalar_type(), "BatchNormForward", [&] {
    CpuKernels<scalar_t>().column_map_clamped(
        input.rows(), input.channels(), input.data<scalar_t>(), input.ld,
        map.scale.data_ptr<scalar_t>(), map.shift.data_ptr<scalar_t>(), scalar_t(0), scalar_t(6),
        output.data<scalar_t>(), output.ld);
  });
  return map.saved;
}

BatchNormGradients BatchNormBackward(const PixelMatrix& grad_output,
                                     const PixelMatrix& input,
                                     const BatchNormSaved& saved,
                                     const at::Tensor& weight) {
  const BatchNormGradientMap map = BatchNormGradientMapOf(grad_output, input, saved, weight);
  BatchNormGradients grads;
  grads.input = EmptyLike(input, input.channels(), input.height(), input.width());
  ApplyChannelMap(grad_output, map.dy_scale, map.uses_input ? &input : nullptr, map.center,
                  map.input_scale, map.shift, grads.input);
  grads.weight = map.weight;
  grads.bias = map.bias;
  return grads;
}

}  // namespace mdenas
