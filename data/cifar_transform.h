// The augmentation of small fixed-size images as DARTS and its successors
// train CIFAR-10: pad with zeros and crop back at a random position, flip
// horizontally at random, normalise per channel, then cut out a square.
// Fashion-MNIST (28x28 grey) works the same at its own size and statistics.
// With padding 0, no flip and no cutout it is the evaluation transform:
// normalisation alone.

#ifndef MDENAS_DATA_CIFAR_TRANSFORM_H_
#define MDENAS_DATA_CIFAR_TRANSFORM_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "data/transform.h"

namespace mdenas {

struct CifarTransformOptions {
  // The shape every input must have. Default: CIFAR's 32x32x3.
  int height = 32;
  int width = 32;
  int channels = 3;
  // One mean and std per channel. Default: CIFAR-10's.
  Normalization normalization = Cifar10Normalization();
  // Random crop: zero pixels added on each side before cropping back to
  // height x width at a uniformly random position. 0: no crop. Default: 4.
  int padding = 4;
  // Mirror left-right with probability 1/2. Default: true.
  bool horizontal_flip = true;
  // Side of the square set to 0 after normalisation, centred on a uniformly
  // random pixel and clipped at the borders (DARTS's Cutout, applied to every
  // image). 0: none. Default: 0 (DARTS searches without it; retraining
  // uses 16).
  int cutout_length = 0;
};

// The options for evaluation: `options`' shape and normalisation, no
// augmentation.
CifarTransformOptions EvalOptions(CifarTransformOptions options);

// The random part of one image's augmentation. Output pixel (y, x) is
// image pixel (y + dy, x + dx), or (y + dy, width - 1 - x + dx) when
// flipped; zero outside the image. The cutout square, where there is one,
// is rows [cutout_y0, cutout_y1) by columns [cutout_x0, cutout_x1).
struct CifarAugmentation {
  int dy = 0;
  int dx = 0;
  bool flip = false;
  int cutout_y0 = 0;
  int cutout_y1 = 0;
  int cutout_x0 = 0;
  int cutout_x1 = 0;
};

class CifarTransform final : public Transform {
 public:
  // Fails on a non-positive shape, a normalisation that does not fit the
  // channels, or a negative padding or cutout length.
  static absl::StatusOr<std::unique_ptr<CifarTransform>> Create(
      const CifarTransformOptions& options);

  ChwShape output_shape() const override;
  absl::Status Apply(const ImageView& image, Random* random,
                     float* output) const override;

  const CifarTransformOptions& options() const { return options_; }
  // Draws one image's augmentation from `random`, as Apply does.
  CifarAugmentation Draw(Random* random) const;
  // Per channel: output = pixel * scale + bias.
  const std::vector<float>& scale() const { return scale_; }
  const std::vector<float>& bias() const { return bias_; }

 private:
  explicit CifarTransform(const CifarTransformOptions& options);

  CifarTransformOptions options_;
  // Per channel: output = pixel * scale + bias.
  std::vector<float> scale_;
  std::vector<float> bias_;
};

}  // namespace mdenas

#endif  // MDENAS_DATA_CIFAR_TRANSFORM_H_
