#include "mdenas/kernels/pool_bn.h"

#include <vector>

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

#include "mdenas/kernels/fast_stages.h"
#include "mdenas/kernels/scratch_buffer.h"
#include "mdenas/kernels/stealing_parallel_for.h"

namespace mdenas {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Forward, image by image: the pooling into `pooled`, and (for the batch
// norm) the moments of each image's channels, merged in order.
template <typename T>
Moments PoolImages(PoolKind kind, const WindowGeometry& image, int64_t batch,
                   const PixelMatrix& x, const PixelMatrix& pooled, bool moments) {
  const CpuKernelTable<T>& kernels = CpuKernels<T>();
  const int64_t channels = image.channels, out_pixels = image.out_height() * image.out_width();
  std::vector<double> means(batch * channels), variances(batch * channels);
  StealingParallelFor(batch, [&](const auto& next) {
    for (int64_t n = next(); n < batch; n = next()) {
      T* out = pooled.data<T>() + n * out_pixels * pooled.ld;
      kernels.pool_forward(kind, image, x.data<T>() + n * image.height * image.width * x.ld, x.ld,
                           out, pooled.ld);
      if (moments) {
        kernels.column_moments(out_pixels, channels, out, pooled.ld, means.data() + n * channels,
                               variances.data() + n * channels);
      }
    }
  });
  Moments total;
  if (!moments) return total;
  for (int64_t n = 0; n < batch; ++n) {
    Moments one;
    one.count = out_pixels;
    one.mean.assign(means.begin() + n * channels, means.begin() + (n + 1) * channels);
    one.variance.assign(variances.begin() + n * channels, variances.begin() + (n + 1) * channels);
    total = Merge(total, one);
  }
  return total;
}

// Backward, image by image: the gradient of the pooled values (the batch
// norm's map applied to grad_output), then the pooling's.
template <typename T>
void PoolGradientImages(PoolKind kind, const WindowGeometry& image, int64_t batch,
                        const BatchNormGradientMap& bn, const PixelMatrix& grad_output,
                        const PixelMatrix& pooled, const PixelMatrix& x,
                        const PixelMatrix& grad_input) {
  const CpuKernelTable<T>& kernels = CpuKernels<T>();
  const int64_t channels = image.channels, out_pixels = image.out_height() * image.out_width();
  const int64_t in_pixels = image.height * image.width;
  StealingParallelFor(batch, [&](const auto& next) {
    thread_local ScratchBuffer<T> grad_pooled_scratch;
    T* const grad_pooled = grad_pooled_scratch.Get(out_pixels * channels);
    for (int64_t n = next(); n < batch; n = next()) {
      kernels.column_combine(
          out_pixels, channels, grad_output.data<T>() + n * out_pixels * grad_output.ld,
          grad_output.ld, bn.dy_scale.data_ptr<T>(),
          bn.uses_input ? pooled.data<T>() + n * out_pixels * pooled.ld : nullptr, pooled.ld,
          bn.input_scale.data_ptr<T>(), bn.shift.data_ptr<T>(), grad_pooled, channels);
      kernels.pool_backward(kind, image, x.data<T>() + n * in_pixels * x.ld, x.ld,
                            grad_pooled, channels,
                            grad_input.data<T>() + n * in_pixels * grad_input.ld, grad_input.ld);
    }
  });
}

class FastPoolBatchNorm : public torch::autograd::Function<FastPoolBatchNorm> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input,
                            const c10::optional<at::Tensor>& /*bn_weight*/,
                            const c10::optional<at::Tensor>& /*bn_bias*/,
                            PoolKind kind, int64_t stride,
                            const std::optional<BatchNormArgs>& bn) {
    const PixelMatrix x = AsPixelMatrix(input);
    WindowGeometry image = WindowOf(x, 3, stride, 1, 1);
    image.batch = 1;
    const PixelMatrix pooled = EmptyPixelMatrix(x.batch(), x.channels(), image.out_height(),
                                                image.out_width(), input.options());
    const bool training_bn = bn && bn->training;
    Moments moments;
    AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "PoolBatchNorm", [&] {
      moments = PoolImages<scalar_t>(kind, image, x.batch(), x, pooled, training_bn);
    });
    ctx->saved_data["kind"] = static_cast<int64_t>(kind);
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["bn"] = bn.has_value();
    if (!bn) {
      ctx->save_for_backward({x.tensor});
      return pooled.tensor;
    }
    BatchNormMap map = BatchNormMapOf(moments, *bn, input.options());
    const PixelMatrix output = ApplyBatchNormMap(pooled, bn->weight, &map);
    ctx->save_for_backward({x.tensor, pooled.tensor, map.saved.mean, map.saved.invstd, bn->weight});
    ctx->saved_data["training"] = map.saved.training;
    ctx->saved_data["reads_output"] = map.saved.reads_output;
    return output.tensor;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const PixelMatrix x = AsPixelMatrix(saved[0]);
    const auto kind = static_cast<PoolKind>(ctx->saved_data["kind"].toInt());
    const WindowGeometry g = WindowOf(x, 3, ctx->saved_data["stride"].toInt(), 1, 1);
    const PixelMatrix grad = AsPixelMatrix(grads[0]);
    if (!ctx->saved_data["bn"].toBool()) {
      return {PoolBackward(kind, x, grad, g).tensor, at::Tensor(), at::Tensor(),
              at::Tensor(), at::Tensor(), at::Tensor()};
    }
    // The pooled values, or the output that overwrote them.
    const PixelMatrix pooled = AsPixelMatrix(saved[1]);
    const BatchNormGradientMap bn = BatchNormGradientMapOf(
        grad, pooled,
        {saved[2], saved[3], ctx->saved_data["training"].toBool(),
         ctx->saved_data["reads_output"].toBool()},
        saved[4]);
    const PixelMatrix grad_input =
        EmptyPixelMatrix(x.batch(), x.channels(), x.height(), x.width(), x.tensor.options());
    WindowGeometry image = g;
    image.batch = 1;
    AT_DISPATCH_FLOATING_TYPES(x.tensor.scalar_type(), "PoolBatchNormBackward", [&] {
      PoolGradientImages<scalar_t>(kind, image, x.batch(), bn, grad, pooled, x, grad_input);
    });
    return {grad_input.tensor, bn.weight, bn.bias, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor Pool3x3BatchNorm(const at::Tensor& input, PoolKind kind,
                            int64_t stride,
                            const std::optional<BatchNormArgs>& bn,
                            Kernels kernels) {
  if (kernels == Kernels::kFast) {
    return FastPoolBatchNorm::apply(input, bn ? IfDefined(bn->weight) : c10::nullopt,
                                    bn ? IfDefined(bn->bias) : c10::nullopt, kind,
                                    stride, bn);
  }
  const at::Tensor pooled =
      kind == PoolKind::kMax
          ? at::max_pool2d(input, {3, 3}, {stride, stride}, {1, 1})
          : at::avg_pool2d(input, {3, 3}, {stride, stride}, {1, 1},
                           /*ceil_mode=*/false, /*count_include_pad=*/false);
  return bn ? BatchNorm2d(pooled, *bn, Kernels::kAten) : pooled;
}

}  // namespace mdenas
