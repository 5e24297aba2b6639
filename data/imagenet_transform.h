// The ImageNet transforms of torchvision's reference recipe, with bilinear
// interpolation as torch.nn.functional.interpolate does it (half-pixel
// centres, no antialiasing):
//   training:   RandomResizedCrop(224) + RandomHorizontalFlip, normalise;
//   evaluation: Resize(256) (the shorter side) + CenterCrop(224), normalise.
// Images may have any size; greyscale ones are replicated to RGB, as PIL's
// convert("RGB") does.

#ifndef MDENAS_DATA_IMAGENET_TRANSFORM_H_
#define MDENAS_DATA_IMAGENET_TRANSFORM_H_

#include <memory>

#include "absl/status/statusor.h"
#include "data/transform.h"

namespace mdenas {

struct ImageNetTransformOptions {
  // True: the training transform; false: the evaluation one. Default: true.
  bool train = true;
  // Side of the square output. Default: 224.
  int output_size = 224;
  // Evaluation: the shorter side is resized to this before the centre crop;
  // at least output_size. Default: 256.
  int resize_size = 256;
  // Training: the crop's area as a fraction of the image's is uniform on
  // [min_scale, max_scale], within (0, 1]. Default: 0.08 to 1.
  double min_scale = 0.08;
  double max_scale = 1.0;
  // Training: the crop's width / height is log-uniform on
  // [min_aspect_ratio, max_aspect_ratio]. Default: 3/4 to 4/3.
  double min_aspect_ratio = 3.0 / 4.0;
  double max_aspect_ratio = 4.0 / 3.0;
  // Training: mirror left-right with probability 1/2. Default: true.
  bool horizontal_flip = true;
  // Three channels. Default: ImageNet's.
  Normalization normalization = ImageNetNormalization();
};

class ImageNetTransform final : public Transform {
 public:
  // Fails on options outside the ranges documented above.
  static absl::StatusOr<std::unique_ptr<ImageNetTransform>> Create(
      const ImageNetTransformOptions& options);

  ChwShape output_shape() const override;
  absl::Status Apply(const ImageView& image, Random* random,
                     float* output) const override;

 private:
  explicit ImageNetTransform(const ImageNetTransformOptions& options)
      : options_(options) {}

  ImageNetTransformOptions options_;
};

}  // namespace mdenas

#endif  // MDENAS_DATA_IMAGENET_TRANSFORM_H_
