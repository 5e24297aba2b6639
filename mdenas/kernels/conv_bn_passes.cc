#include "mdenas/kernels/conv_bn_passes.h"

#include <algorithm>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>

#include "mdenas/kernels/cpu_kernels.h"
#include "mdenas/kernels/scratch_buffer.h"
#include "mdenas/kernels/stealing_parallel_for.h"

namespace mdenas {
namespace {

// The sizes of one call, and its window over a single image: the fast
// kernel runs image by image, so that an image's intermediate results stay
// in cache from one step to the next.
struct Plan {
  FrontEnd front;
  // One image of the input, with the depthwise window or the gathers'
  // stride.
  WindowGeometry image;
  int64_t batch = 0;
  int64_t out_height = 0;
  int64_t out_width = 0;
  // Output channels of each 1x1 convolution, and where they start.
  std::vector<int64_t> out_channels;
  std::vector<int64_t> first_channel;
  int64_t total_out_channels = 0;

  int64_t in_pixels() const { return image.height * image.width; }
  int64_t out_pixels() const { return out_height * out_width; }
  int64_t in_channels() const { return image.channels; }
  int64_t branches() const { return static_cast<int64_t>(out_channels.size()); }
  // The multiply-adds of an image's forward pass, the depthwise
  // convolution's and the 1x1 convolutions'; its backward pass does about
  // twice as many.
  int64_t image_work() const {
    const int64_t taps = front.depthwise ? front.kernel * front.kernel : 0;
    return out_pixels() * in_channels() * (taps + total_out_channels);
  }
};

Plan PlanOf(const PixelMatrix& x, const FrontEnd& front, at::TensorList weights) {
  Plan plan;
  plan.front = front;
  plan.batch = x.batch();
  if (front.depthwise) {
    plan.image = WindowOf(x, front.kernel, front.stride, front.padding, front.dilation);
    plan.out_height = plan.image.out_height();
    plan.out_width = plan.image.out_width();
  } else {
    plan.image = WindowOf(x, 1, front.stride, 0, 1);
    plan.out_height = GatheredSize(x.height(), front.stride, 0);
    plan.out_width = GatheredSize(x.width(), front.stride, 0);
    const int64_t last = static_cast<int64_t>(weights.size()) - 1;
    TORCH_CHECK(GatheredSize(x.height(), front.stride, last) == plan.out_height &&
                    GatheredSize(x.width(), front.stride, last) == plan.out_width,
                "the shifted 1x1 convolutions of a ", x.height(), "x", x.width(),
                " input differ in size");
  }
  plan.image.batch = 1;
  for (const at::Tensor& w : weights) {
    TORCH_CHECK(w.dim() == 4 && w.size(1) == x.channels() && w.size(2) == 1 && w.size(3) == 1,
                "a 1x1 weight for ", x.channels(), " input channels, got ", w.sizes());
    plan.first_channel.push_back(plan.total_out_channels);
    plan.out_channels.push_back(w.size(0));
    plan.total_out_channels += w.size(0);
  }
  return plan;
}

// What 1x1 convolution b reads for one image: the depthwise convolution's
// output, the input itself (a dense 1x1 convolution, ReLU applied as it is
// read) or the gathered pixels of a strided one (ReLU applied).
template <typename T>
struct Features {
  const T* data;
  int64_t ld;
  bool needs_relu;
};

// A dense 1x1 convolution reads its input where it is.
bool ReadsInputDirectly(const Plan& plan) {
  return !plan.front.depthwise && plan.front.stride == 1 && plan.branches() == 1;
}

template <typename T>
Features<T> FeaturesOf(const Plan& plan, int64_t b, const T* image, int64_t image_ld,
                       const T* depthwise_output, ScratchBuffer<T>* buffer) {
  if (plan.front.depthwise) return {depthwise_output, plan.in_channels(), false};
  if (ReadsInputDirectly(plan)) return {image, image_ld, true};
  T* gathered = buffer->Get(plan.out_pixels() * plan.in_channels());
  CpuKernels<T>().gather_relu(plan.image, b, image, image_ld, gathered, plan.in_channels());
  return {gathered, plan.in_channels(), false};
}

// Forward, image by image: the front end, the 1x1 convolutions into
// `conv`, and the moments of `conv`'s channels. An image's depthwise output
// stays in cache for its 1x1 convolution and is not kept: the backward pass
// computes it again, which costs less than writing it out and reading it back.
template <typename T>
Moments ForwardImages(const Plan& plan, const PixelMatrix& x, const T* depthwise_weight,
                      const std::vector<at::Tensor>& pointwise, T* conv) {
  const CpuKernelTable<T>& kernels = CpuKernels<T>();
  const int64_t channels = plan.total_out_channels, c_in = plan.in_channels();
  // Each weight [C_out][C_in] transposed, B of the products. A loop, not
  // ATen's transpose and copy, which cost more to call than this to run.
  std::vector<std::vector<T>> transposed(plan.branches());
  for (int64_t b = 0; b < plan.branches(); ++b) {
    const int64_t c_out = plan.out_channels[b];
    const c10::MaybeOwned<at::Tensor> contiguous = pointwise[b].expect_contiguous();
    const T* w = contiguous->template data_ptr<T>();
    transposed[b].resize(c_in * c_out);
    for (int64_t o = 0; o < c_out; ++o) {
      for (int64_t i = 0; i < c_in; ++i) transposed[b][i * c_out + o] = w[o * c_in + i];
    }
  }
  std::vector<double> means(plan.batch * channels), variances(plan.batch * channels);
  StealingParallelFor(plan.batch, plan.image_work(), [&](const auto& next) {
    thread_local ScratchBuffer<T> buffer, features_scratch;
    T* const features =
        features_scratch.Get(plan.front.depthwise ? plan.out_pixels() * plan.in_channels() : 0);
    for (int64_t n = next(); n < plan.batch; n = next()) {
      const T* image = x.data<T>() + n * plan.in_pixels() * x.ld;
      if (plan.front.depthwise) {
        kernels.depthwise_forward(plan.image, image, x.ld, /*relu_input=*/true,
                                  depthwise_weight, features, plan.in_channels());
      }
      T* out = conv + n * plan.out_pixels() * channels;
      for (int64_t b = 0; b < plan.branches(); ++b) {
        const Features<T> f = FeaturesOf<T>(plan, b, image, x.ld, features, &buffer);
        GemmOperands<T> conv_b;
        conv_b.m = plan.out_pixels();
        conv_b.n = plan.out_channels[b];
        conv_b.depth = plan.in_channels();
        conv_b.a = f.data;
        conv_b.a_row_stride = f.ld;
        conv_b.a_depth_stride = 1;
        conv_b.relu_a = f.needs_relu;
        conv_b.b = transposed[b].data();
        conv_b.ldb = plan.out_channels[b];
        conv_b.c = out + plan.first_channel[b];
        conv_b.ldc = channels;
        kernels.gemm(conv_b);
      }
      kernels.column_moments(plan.out_pixels(), channels, out, channels,
                             means.data() + n * channels, variances.data() + n * channels);
    }
  });
  return MergeImageMoments(means, variances, plan.batch, channels, plan.out_pixels());
}

struct WeightGradients {
  at::Tensor depthwise;
  std::vector<at::Tensor> pointwise;
};

// Backward, image by image: the gradient of the 1x1 convolutions' output
// (the batch norm's map applied to grad_output), their weight and input
// gradients, then the front end's. Writes grad_input, and where
// `input_sums` is given, the sums of grad_input.into against x.
template <typename T>
WeightGradients BackwardImages(const Plan& plan, const BatchNormGradientMap& bn,
                               const PixelMatrix& grad_output, const PixelMatrix& conv,
                               const PixelMatrix& x, const at::Tensor& depthwise_weight,
                               const std::vector<at::Tensor>& pointwise,
                               const GradientTarget& grad_input, GradientSums* input_sums) {
  const CpuKernelTable<T>& kernels = CpuKernels<T>();
  const int64_t channels = plan.total_out_channels, c_in = plan.in_channels();
  const int64_t window = plan.front.kernel * plan.front.kernel * c_in;
  std::vector<int64_t> pointwise_size;
  int64_t partial_size = plan.front.depthwise ? window : 0;
  for (int64_t b = 0; b < plan.branches(); ++b) {
    pointwise_size.push_back(plan.out_channels[b] * c_in);
    partial_size += pointwise_size.back();
  }
  thread_local ScratchBuffer<T> partials_scratch;
  T* const partials = partials_scratch.Get(plan.batch * partial_size);
  const bool direct = ReadsInputDirectly(plan);
  const at::Tensor packed_depthwise =
      plan.front.depthwise ? PackDepthwiseWeight(depthwise_weight) : at::Tensor();
  // Each weight [C_out][C_in], B of the input gradient's product.
  std::vector<c10::MaybeOwned<at::Tensor>> pointwise_contiguous;
  std::vector<const T*> pointwise_data;
  for (const at::Tensor& w : pointwise) {
    pointwise_contiguous.push_back(w.expect_contiguous());
    pointwise_data.push_back(pointwise_contiguous.back()->template data_ptr<T>());
  }
  // The gathers of a strided 1x1 convolution leave pixels without gradient.
  const bool gathers_cover_input = plan.front.depthwise || (plan.branches() == 1 && plan.front.stride == 1);
  // Each image's sums of its input's gradient, while the image is in cache.
  std::vector<double> image_sum_dy(input_sums ? plan.batch * c_in : 0);
  std::vector<double> image_sum_dy_x(image_sum_dy.size());
  const std::vector<T> zero_center(input_sums ? c_in : 0);
  StealingParallelFor(plan.batch, 2 * plan.image_work(), [&](const auto& next) {
    thread_local ScratchBuffer<T> grad_conv_scratch, grad_features_scratch, features_scratch,
        buffer;
    T* const grad_conv = grad_conv_scratch.Get(plan.out_pixels() * channels);
    T* const grad_features = grad_features_scratch.Get(plan.out_pixels() * c_in);
    T* const features = features_scratch.Get(plan.front.depthwise ? plan.out_pixels() * c_in : 0);
    ImageGradient<T> grad(grad_input, plan.in_pixels());
    for (int64_t n = next(); n < plan.batch; n = next()) {
      const T* image = x.data<T>() + n * plan.in_pixels() * x.ld;
      grad.Select(n);
      T* const grad_image = grad.data();
      const int64_t grad_ld = grad.ld();
      const T* const grad_base = grad.base();
      if (plan.front.depthwise) {
        kernels.depthwise_forward(plan.image, image, x.ld, /*relu_input=*/true,
                                  packed_depthwise.data_ptr<T>(), features, c_in);
      }
      T* partial = partials + n * partial_size;
      kernels.column_combine(plan.out_pixels(), channels,
                             grad_output.data<T>() + n * plan.out_pixels() * grad_output.ld,
                             grad_output.ld, bn.dy_scale.data_ptr<T>(),
                             bn.uses_input ? conv.data<T>() + n * plan.out_pixels() * conv.ld
                                           : nullptr,
                             conv.ld, bn.center_data<T>(), bn.input_scale.data_ptr<T>(),
                             bn.shift.data_ptr<T>(), grad_conv, channels);
      // The gathers' gradients add to the base, or to zero.
      if (!gathers_cover_input && grad_base != grad_image) {
        for (int64_t p = 0; p < plan.in_pixels(); ++p) {
          T* row = grad_image + p * grad_ld;
          if (grad_base) {
            std::copy(grad_base + p * grad.base_ld(), grad_base + p * grad.base_ld() + c_in, row);
          } else {
            std::fill(row, row + c_in, T(0));
          }
        }
      }
      T* pointwise_partial = partial + (plan.front.depthwise ? window : 0);
      for (int64_t b = 0; b < plan.branches(); ++b) {
        const int64_t c_out = plan.out_channels[b];
        const T* dq = grad_conv + plan.first_channel[b];
        const Features<T> f = FeaturesOf<T>(plan, b, image, x.ld, features, &buffer);
        // d weight [c_out][c_in] = dq^T features.
        GemmOperands<T> weight_grad;
        weight_grad.m = c_out;
        weight_grad.n = c_in;
        weight_grad.depth = plan.out_pixels();
        weight_grad.a = dq;
        weight_grad.a_row_stride = 1;
        weight_grad.a_depth_stride = channels;
        weight_grad.b = f.data;
        weight_grad.ldb = f.ld;
        weight_grad.relu_b = f.needs_relu;
        weight_grad.c = pointwise_partial;
        weight_grad.ldc = c_in;
        kernels.gemm(weight_grad);
        pointwise_partial += pointwise_size[b];
        // d features = dq weight; a dense convolution's goes straight to the
        // input, through ReLU's gradient.
        GemmOperands<T> features_grad;
        features_grad.m = plan.out_pixels();
        features_grad.n = c_in;
        features_grad.depth = c_out;
        features_grad.a = dq;
        features_grad.a_row_stride = channels;
        features_grad.a_depth_stride = 1;
        features_grad.b = pointwise_data[b];
        features_grad.ldb = c_in;
        features_grad.c = direct ? grad_image : grad_features;
        features_grad.ldc = direct ? grad_ld : c_in;
        features_grad.c_mask = direct ? image : nullptr;
        features_grad.c_mask_ld = x.ld;
        features_grad.c_base = direct ? grad_base : nullptr;
        features_grad.c_base_ld = grad.base_ld();
        kernels.gemm(features_grad);
        if (!plan.front.depthwise && !direct) {
          kernels.scatter_relu_gradient(plan.image, b, grad_features, c_in, image, x.ld,
                                        grad_image, grad_ld);
        }
      }
      if (plan.front.depthwise) {
        kernels.depthwise_backward_weight(plan.image, grad_features, c_in, image, x.ld,
                                          /*relu_input=*/true, partial);
        kernels.depthwise_backward_input(plan.image, grad_features, c_in,
                                         packed_depthwise.data_ptr<T>(), image, x.ld,
                                         grad_image, grad_ld, grad_base, grad.base_ld());
      }
      if (input_sums) {
        kernels.column_gradient_sums(plan.in_pixels(), c_in, grad_image, grad_ld, image, x.ld,
                                     zero_center.data(),
                                     image_sum_dy.data() + n * c_in,
                                     image_sum_dy_x.data() + n * c_in);
      }
    }
  });
  if (input_sums) {
    input_sums->dy.assign(c_in, 0.0);
    input_sums->dy_v.assign(c_in, 0.0);
    for (int64_t n = 0; n < plan.batch; ++n) {
      for (int64_t c = 0; c < c_in; ++c) {
        input_sums->dy[c] += image_sum_dy[n * c_in + c];
        input_sums->dy_v[c] += image_sum_dy_x[n * c_in + c];
      }
    }
  }
  std::vector<T> sums(partial_size);
  kernels.sum_in_order(partials, plan.batch, partial_size, sums.data());
  const at::TensorOptions options = x.tensor.options().memory_format(at::MemoryFormat::Contiguous);
  WeightGradients grads;
  const T* next = sums.data();
  if (plan.front.depthwise) {
    const int64_t taps = plan.front.kernel * plan.front.kernel;
    // [taps][c_in] -> [c_in, 1, k, k].
    grads.depthwise = at::empty({c_in, 1, plan.front.kernel, plan.front.kernel}, options);
    T* out = grads.depthwise.data_ptr<T>();
    for (int64_t c = 0; c < c_in; ++c) {
      for (int64_t t = 0; t < taps; ++t) out[c * taps + t] = next[t * c_in + c];
    }
    next += window;
  }
  for (int64_t b = 0; b < plan.branches(); ++b) {
    grads.pointwise.push_back(at::empty({plan.out_channels[b], c_in, 1, 1}, options));
    std::copy(next, next + pointwise_size[b], grads.pointwise.back().data_ptr<T>());
    next += pointwise_size[b];
  }
  return grads;
}

}  // namespace

ConvBatchNormForwardResult ConvBatchNormForward(const PixelMatrix& x,
                                                const ConvBatchNormUnit& unit,
                                                BatchNormOutput output) {
  const Plan plan = PlanOf(x, unit.front, unit.pointwise_weights);
  const at::TensorOptions options = x.tensor.options();
  const PixelMatrix conv = EmptyPixelMatrix(plan.batch, plan.total_out_channels,
                                            plan.out_height, plan.out_width, options);
  const at::Tensor packed_depthwise =
      unit.front.depthwise ? PackDepthwiseWeight(unit.depthwise_weight) : at::Tensor();
  Moments moments;
  AT_DISPATCH_FLOATING_TYPES(x.tensor.scalar_type(), "ConvBatchNormForward", [&] {
    moments = ForwardImages<scalar_t>(
        plan, x, unit.front.depthwise ? packed_depthwise.data_ptr<scalar_t>() : nullptr,
        unit.pointwise_weights, conv.data<scalar_t>());
  });
  BatchNormMap map = BatchNormMapOf(moments, unit.bn, options);
  ConvBatchNormForwardResult result;
  result.output = FinishBatchNorm(conv, unit.bn.weight, output, &map);
  result.deferred = {map.saved.mean, map.scale, unit.bn.bias};
  result.saved = {x, conv, map.saved};
  return result;
}

ConvBatchNormGradients ConvBatchNormBackward(const ConvBatchNormUnit& unit,
                                             const ConvBatchNormSaved& saved,
                                             const PixelMatrix& grad_output,
                                             const GradientTarget& grad_input,
                                             const ChainedSums& sums) {
  const PixelMatrix& x = saved.input;
  const Plan plan = PlanOf(x, unit.front, unit.pointwise_weights);
  const BatchNormGradientMap bn =
      sums.of_output
          ? BatchNormGradientMapOf(*sums.of_output, saved.conv.rows(), saved.bn, unit.bn.weight)
          : BatchNormGradientMapOf(grad_output, saved.conv, saved.bn, unit.bn.weight);
  WeightGradients weights;
  AT_DISPATCH_FLOATING_TYPES(x.tensor.scalar_type(), "ConvBatchNormBackward", [&] {
    weights = BackwardImages<scalar_t>(plan, bn, grad_output, saved.conv, x,
                                       unit.depthwise_weight, unit.pointwise_weights,
                                       grad_input, sums.of_input);
  });
  return {weights.depthwise, weights.pointwise, bn.weight, bn.bias};
}

}  // namespace mdenas
