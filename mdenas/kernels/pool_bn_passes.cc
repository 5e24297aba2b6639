#include "mdenas/kernels/pool_bn_passes.h"

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>

#include "mdenas/kernels/scratch_buffer.h"
#include "mdenas/kernels/stealing_parallel_for.h"

namespace mdenas {
namespace {

// The window taps an image's pooling visits.
int64_t ImageWork(const WindowGeometry& image) {
  return image.out_height() * image.out_width() * image.channels * image.kernel * image.kernel;
}

// Forward, image by image: the pooling into `pooled`, and (for the batch
// norm) the moments of each image's channels, merged in order.
template <typename T>
Moments PoolImages(PoolKind kind, const WindowGeometry& image, int64_t batch,
                   const PixelMatrix& x, const PixelMatrix& pooled, bool moments) {
  const CpuKernelTable<T>& kernels = CpuKernels<T>();
  const int64_t channels = image.channels, out_pixels = image.out_height() * image.out_width();
  std::vector<double> means(batch * channels), variances(batch * channels);
  StealingParallelFor(batch, ImageWork(image), [&](const auto& next) {
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
  if (!moments) return Moments();
  return MergeImageMoments(means, variances, batch, channels, out_pixels);
}

// Backward, image by image: the gradient of the pooled values (the batch
// norm's map applied to grad_output; grad_output itself without one), then
// the pooling's.
template <typename T>
void PoolGradientImages(PoolKind kind, const WindowGeometry& image, int64_t batch,
                        const BatchNormGradientMap* bn, const PixelMatrix& grad_output,
                        const PixelMatrix& pooled, const PixelMatrix& x,
                        const GradientTarget& grad_input) {
  const CpuKernelTable<T>& kernels = CpuKernels<T>();
  const int64_t channels = image.channels, out_pixels = image.out_height() * image.out_width();
  const int64_t in_pixels = image.height * image.width;
  StealingParallelFor(batch, ImageWork(image), [&](const auto& next) {
    thread_local ScratchBuffer<T> grad_pooled_scratch;
    T* const grad_pooled = grad_pooled_scratch.Get(bn ? out_pixels * channels : 0);
    ImageGradient<T> grad(grad_input, in_pixels);
    for (int64_t n = next(); n < batch; n = next()) {
      const T* dy = grad_output.data<T>() + n * out_pixels * grad_output.ld;
      if (bn) {
        kernels.column_combine(
            out_pixels, channels, dy, grad_output.ld, bn->dy_scale.data_ptr<T>(),
            bn->uses_input ? pooled.data<T>() + n * out_pixels * pooled.ld : nullptr, pooled.ld,
            bn->center_data<T>(), bn->input_scale.data_ptr<T>(), bn->shift.data_ptr<T>(),
            grad_pooled, channels);
      }
      grad.Select(n);
      kernels.pool_backward(kind, image, x.data<T>() + n * in_pixels * x.ld, x.ld,
                            bn ? grad_pooled : dy, bn ? channels : grad_output.ld, grad.data(),
                            grad.ld(), grad.base(), grad.base_ld());
    }
  });
}

WindowGeometry ImageWindow(const PixelMatrix& x, int64_t stride) {
  WindowGeometry image = WindowOf(x, 3, stride, 1, 1);
  image.batch = 1;
  return image;
}

}  // namespace

PoolBatchNormForwardResult PoolBatchNormForward(const PixelMatrix& x,
                                                const PoolBatchNormUnit& unit,
                                                BatchNormOutput output) {
  const WindowGeometry image = ImageWindow(x, unit.stride);
  const PixelMatrix pooled = EmptyPixelMatrix(x.batch(), x.channels(), image.out_height(),
                                              image.out_width(), x.tensor.options());
  const bool training_bn = unit.bn && unit.bn->training;
  Moments moments;
  AT_DISPATCH_FLOATING_TYPES(x.tensor.scalar_type(), "PoolBatchNormForward", [&] {
    moments = PoolImages<scalar_t>(unit.kind, image, x.batch(), x, pooled, training_bn);
  });
  PoolBatchNormForwardResult result;
  if (!unit.bn) {
    result.output = pooled;
    result.saved.input = x;
    return result;
  }
  BatchNormMap map = BatchNormMapOf(moments, *unit.bn, x.tensor.options());
  result.output = FinishBatchNorm(pooled, unit.bn->weight, output, &map);
  result.deferred = {map.saved.mean, map.scale, unit.bn->bias};
  result.saved = {x, pooled, map.saved};
  return result;
}

PoolBatchNormGradients PoolBatchNormBackward(const PoolBatchNormUnit& unit,
                                             const PoolBatchNormSaved& saved,
                                             const PixelMatrix& grad_output,
                                             const GradientTarget& grad_input) {
  const PixelMatrix& x = saved.input;
  const WindowGeometry image = ImageWindow(x, unit.stride);
  std::optional<BatchNormGradientMap> bn;
  if (unit.bn) {
    bn = BatchNormGradientMapOf(grad_output, saved.pooled, saved.bn, unit.bn->weight);
  }
  AT_DISPATCH_FLOATING_TYPES(x.tensor.scalar_type(), "PoolBatchNormBackward", [&] {
    PoolGradientImages<scalar_t>(unit.kind, image, x.batch(), bn ? &*bn : nullptr, grad_output,
                                 saved.pooled, x, grad_input);
  });
  if (!bn) return {};
  return {bn->weight, bn->bias};
}

}  // namespace mdenas
