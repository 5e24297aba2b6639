// The augmentation of small fixed-size images as DARTS and its successors
// train CIFAR-10: pad with zeros and crop back at a random position, flip
// horizontally at random, normalise per channel, then cut out a square.
// Fashion-MNIST (28x28 grey) works the same at its own size and statistics.
// With padding 0, no flip and no cutout it is the evaluation transform:
// normalisation alone.

#ifndef MDENAS_DATA_CIFAR_TRANSFORM_H_
#define MDENAS_DATA_CIFAR_TRANSFORM_H_

#include <memory>

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

class CifarTransform final : public Transform {
 public:
  // Fails on a non-positive shape, a normalisation that does not fit the
  // channels, or a negative padding or cutout length.
  static absl::StatusOr<std::unique_ptr<CifarTransform>> Create(
      const CifarTransformOptions& options);

  ChwShape output_shape() const override;
  absl::Status Apply(const ImageView& image, Random* random,
                     float* output) const override;

 private:
  explicit CifarTransform(const CifarTransformOptions& options);

  CifarTransformOptions options_;
  // Per channel: output = pixel * scale + bias.
  std::vector<float> scale_;
  std::vector<float> bias_;
};

}  // namespace mdenas

#endif  // MDENAS_DATA_CIFAR_TRANSFORM_H_
