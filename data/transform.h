// Per-image transforms of the input pipeline: a uint8 HWC image in, a
// normalised float CHW image out, with every random choice drawn from a
// Random that the caller keys by seed, epoch and image (loader.h), so that
// the result does not depend on which thread runs it or what ran before.

#ifndef MDENAS_DATA_TRANSFORM_H_
#define MDENAS_DATA_TRANSFORM_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "data/image_set.h"
#include "data/random.h"

namespace mdenas {

// The shape of a float image in CHW order.
struct ChwShape {
  int channels = 0;
  int height = 0;
  int width = 0;

  int64_t size() const { return int64_t{channels} * height * width; }
};

// Per-channel mean and standard deviation of pixel / 255 over a data set's
// training images. Normalising maps a pixel p of channel c to
// (p / 255 - mean[c]) / std[c].
struct Normalization {
  std::vector<float> mean;
  std::vector<float> std;
};

Normalization Cifar10Normalization();
Normalization Cifar100Normalization();
Normalization FashionMnistNormalization();
Normalization ImageNetNormalization();

// Checks that `normalization` has a mean and a positive std for each of
// `channels` channels.
absl::Status ValidateNormalization(const Normalization& normalization,
                                   int channels);

class Transform {
 public:
  virtual ~Transform() = default;

  // The shape of every output.
  virtual ChwShape output_shape() const = 0;

  // Writes the transformed `image` to `output`, output_shape().size() floats
  // in CHW order, drawing every random choice from `random`. An image this
  // transform cannot take (another size or channel count) is an error.
  virtual absl::Status Apply(const ImageView& image, Random* random,
                             float* output) const = 0;
};

}  // namespace mdenas

#endif  // MDENAS_DATA_TRANSFORM_H_
