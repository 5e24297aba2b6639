// Operations on whole pixel matrices (pixel_matrix.h), each a typed call
// of the CPU kernels (cpu_kernels.h): depthwise convolution and batch
// normalisation, which the autograd functions of depthwise_conv2d.cc and
// batch_norm.cc string together; and what the image-by-image passes of
// conv_bn_passes.cc and pool_bn_passes.cc share: the batch-normalisation
// maps and where an input's gradient goes. Internal to the kernels; float
// and double.

#ifndef MDENAS_KERNELS_PIXEL_MATRIX_OPS_H_
#define MDENAS_KERNELS_PIXEL_MATRIX_OPS_H_

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/batch_norm_args.h"
#include "mdenas/kernels/cpu_kernels.h"
#include "mdenas/kernels/pixel_matrix.h"

namespace mdenas {

// An optional autograd-function argument: absent when `t` is undefined
// (affine-free BatchNorm parameters), so autograd tracks no input for it.
inline c10::optional<at::Tensor> IfDefined(const at::Tensor& t) {
  return t.defined() ? c10::optional<at::Tensor>(t) : c10::nullopt;
}

// The window of a depthwise convolution of `input` by `weight` [C, 1, k, k],
// or of a k x k pooling (weight undefined).
WindowGeometry WindowOf(const PixelMatrix& input, int64_t kernel,
                        int64_t stride, int64_t padding, int64_t dilation);

// [C, 1, k, k] -> [k * k, C], the layout of the depthwise kernels.
at::Tensor PackDepthwiseWeight(const at::Tensor& weight);

PixelMatrix DepthwiseForward(const PixelMatrix& input,
                             const at::Tensor& packed_weight,
                             const WindowGeometry& g);
PixelMatrix DepthwiseBackwardInput(const PixelMatrix& grad_output,
                                   const at::Tensor& packed_weight,
                                   const WindowGeometry& g);
// The weight gradient in the weight's own layout [C, 1, k, k].
at::Tensor DepthwiseBackwardWeight(const PixelMatrix& grad_output,
                                   const PixelMatrix& input,
                                   const WindowGeometry& g);

// What the batch-norm gradient needs from the forward pass: [C] tensors of
// the input's dtype.
struct BatchNormSaved {
  at::Tensor mean;
  at::Tensor invstd;
  bool training = true;
  // Whether the gradient reads the normalised output (x - mean) * invstd
  // instead of the input x: without affine parameters the output can
  // overwrite the input, and the gradient's map is then one of the output.
  bool reads_output = false;
};

// Per-channel mean and biased variance of `count` values per channel.
struct Moments {
  int64_t count = 0;
  std::vector<double> mean;
  std::vector<double> variance;
};

// The moments of a matrix's columns.
Moments ColumnMoments(const PixelMatrix& x);

// The moments of `images` sets of `count` values per channel together, from
// each set's: means[n * channels + c] and variances[n * channels + c].
// With equal counts, Chan et al.'s update is the mean of the means, and the
// mean of the variances plus the variance of the means.
Moments MergeImageMoments(const std::vector<double>& means,
                          const std::vector<double>& variances, int64_t images,
                          int64_t channels, int64_t count);

// The per-channel map y = x * scale + shift that `bn` applies: with the
// batch's moments in training mode, where it also updates the running
// statistics (`batch` is ignored in evaluation mode).
struct BatchNormMap {
  at::Tensor scale;
  at::Tensor shift;
  BatchNormSaved saved;
};
BatchNormMap BatchNormMapOf(const Moments& batch, const BatchNormArgs& bn,
                            const at::TensorOptions& options);

// The per-channel map of the gradient: d input = dy * dy_scale + (v -
// center) * input_scale + shift, where v is the input and center its
// mean, or v the output and no center where saved.reads_output
// (input_scale is zero in evaluation mode), and the gradients of the
// affine parameters (undefined without them).
struct BatchNormGradientMap {
  at::Tensor dy_scale;
  at::Tensor center;
  at::Tensor input_scale;
  at::Tensor shift;
  bool uses_input = true;
  at::Tensor weight;
  at::Tensor bias;

  // center's values for column_combine: null where there is none.
  template <typename T>
  const T* center_data() const {
    return center.defined() ? center.data_ptr<T>() : nullptr;
  }
};

// Per channel, the sums over a batch of a gradient dy and of dy * v for
// values v: what a batch norm's gradient needs of its output's gradient.
struct GradientSums {
  std::vector<double> dy;
  std::vector<double> dy_v;
};

// `weight` is bn.weight (undefined without affine parameters); `input` is
// the output where saved.reads_output.
BatchNormGradientMap BatchNormGradientMapOf(const PixelMatrix& grad_output,
                                            const PixelMatrix& input,
                                            const BatchNormSaved& saved,
                                            const at::Tensor& weight);

// The same from the sums of grad_output against `input` (v = input - its
// mean, or the output itself where saved.reads_output), known already, and
// the number of values per channel.
BatchNormGradientMap BatchNormGradientMapOf(const GradientSums& sums, int64_t count,
                                            const BatchNormSaved& saved,
                                            const at::Tensor& weight);

// How a forward pass leaves the BatchNorm it ends with.
enum class BatchNormOutput {
  // The output is the normalised values.
  kApplied,
  // The output is the values before it, which its consumer (a node sum)
  // maps per channel by the map's scale and shift: a pass over the output
  // fewer. The gradient then reads those values, not the output.
  kDeferred,
};

// The BatchNorm a forward pass left to its consumer (BatchNormOutput::
// kDeferred): per channel, (output - center) * scale + bias, with no bias
// where it is undefined.
struct DeferredBatchNorm {
  at::Tensor center;
  at::Tensor scale;
  at::Tensor bias;
};

// Where a backward pass puts the gradient g of its input: into = g, or,
// where `base` is defined, into = base + g (`base` may be `into` itself:
// the gradient then accumulates there).
struct GradientTarget {
  PixelMatrix into;
  PixelMatrix base;
};

// One image of a GradientTarget at a time, in an image loop: the kernels
// write the image's gradient at data() (row stride ld()), adding the base
// at base() (row stride base_ld()) where it is not null, as they write: a
// pass over the image fewer than adding it afterwards.
template <typename T>
class ImageGradient {
 public:
  ImageGradient(const GradientTarget& target, int64_t image_pixels)
      : target_(target), image_pixels_(image_pixels) {}

  void Select(int64_t n) { n_ = n; }
  T* data() const { return Image(target_.into); }
  int64_t ld() const { return target_.into.ld; }
  const T* base() const { return target_.base.tensor.defined() ? Image(target_.base) : nullptr; }
  int64_t base_ld() const { return target_.base.ld; }

 private:
  T* Image(const PixelMatrix& m) const { return m.data<T>() + n_ * image_pixels_ * m.ld; }

  const GradientTarget& target_;
  int64_t image_pixels_;
  int64_t n_ = 0;
};

// The end of a forward pass: `values` normalised by `map` as `output`
// says. Applied in place where the batch norm has no affine parameters
// (`weight`, bn.weight, undefined), whose gradient then reads the output
// (map->saved.reads_output), otherwise into new memory.
PixelMatrix FinishBatchNorm(const PixelMatrix& values, const at::Tensor& weight,
                            BatchNormOutput output, BatchNormMap* map);

// out = u * scale + shift per channel, or u * scale + (v - v_center) *
// v_scale + shift (v_center may be undefined: zero).
void ApplyChannelMap(const PixelMatrix& u, const at::Tensor& scale,
                     const PixelMatrix* v, const at::Tensor& v_center,
                     const at::Tensor& v_scale, const at::Tensor& shift,
                     const PixelMatrix& out);

// What follows a batch normalisation in the same pass over its output.
enum class BatchNormActivation {
  kNone,
  // ReLU6: clamped to [0, 6], as the mobile space's blocks have it.
  kRelu6,
};

// output = BN(input) as `bn` says, then `activation`; updates the running
// statistics in training mode.
BatchNormSaved BatchNormForward(const PixelMatrix& input, const BatchNormArgs& bn,
                                BatchNormActivation activation, const PixelMatrix& output);

struct BatchNormGradients {
  PixelMatrix input;
  // Undefined without affine parameters.
  at::Tensor weight;
  at::Tensor bias;
};

// `weight` is bn.weight (undefined without affine parameters).
BatchNormGradients BatchNormBackward(const PixelMatrix& grad_output,
                                     const PixelMatrix& input,
                                     const BatchNormSaved& saved,
                                     const at::Tensor& weight);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_PIXEL_MATRIX_OPS_H_
