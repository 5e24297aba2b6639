#include <algorithm>

#include "absl/strings/str_cat.h"
#include "data/cifar_transform.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

// One output row of channel `c`: output[x] = the normalised source pixel
// (source_y, x + dx), or (source_y, width - 1 - x + dx) when flipped, and the
// normalised zero of the padding where that lies outside the image. The
// inner loops are branch-free; their reads are channel-strided, which is the
// cost that remains (about one cycle per output value on x86-64).
void WriteRow(const uint8_t* image_row, int width, int channels, int dx,
              bool flip, float scale, float bias, float* output) {
  // The columns x whose source column lies inside the image.
  const int begin = std::clamp(flip ? dx : -dx, 0, width);
  const int end = std::clamp(flip ? width + dx : width - dx, begin, width);
  std::fill(output, output + begin, bias);
  if (flip) {
    const int mirror = width - 1 + dx;
    for (int x = begin; x < end; ++x) {
      output[x] =
          static_cast<float>(image_row[(mirror - x) * channels]) * scale + bias;
    }
  } else {
    for (int x = begin; x < end; ++x) {
      output[x] =
          static_cast<float>(image_row[(x + dx) * channels]) * scale + bias;
    }
  }
  std::fill(output + end, output + width, bias);
}

}  // namespace

CifarTransformOptions EvalOptions(CifarTransformOptions options) {
  options.padding = 0;
  options.horizontal_flip = false;
  options.cutout_length = 0;
  return options;
}

absl::StatusOr<std::unique_ptr<CifarTransform>> CifarTransform::Create(
    const CifarTransformOptions& options) {
  if (options.height <= 0 || options.width <= 0 || options.channels <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CIFAR transform: image shape ", options.height, "x", options.width,
        "x", options.channels, " must be positive"));
  }
  if (options.padding < 0 || options.cutout_length < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CIFAR transform: padding (", options.padding, ") and cutout length (",
        options.cutout_length, ") must not be negative"));
  }
  MDENAS_RETURN_IF_ERROR(
      ValidateNormalization(options.normalization, options.channels));
  return std::unique_ptr<CifarTransform>(new CifarTransform(options));
}

CifarTransform::CifarTransform(const CifarTransformOptions& options)
    : options_(options) {
  for (int c = 0; c < options.channels; ++c) {
    const float std = options.normalization.std[c];
    scale_.push_back(1.0f / (255.0f * std));
    bias_.push_back(-options.normalization.mean[c] / std);
  }
}

ChwShape CifarTransform::output_shape() const {
  return {options_.channels, options_.height, options_.width};
}

CifarAugmentation CifarTransform::Draw(Random* random) const {
  // Draws in a fixed order: crop row, crop column, flip, cutout centre.
  CifarAugmentation a;
  if (options_.padding > 0) {
    const int positions = 2 * options_.padding + 1;
    a.dy = static_cast<int>(random->Uniform(positions)) - options_.padding;
    a.dx = static_cast<int>(random->Uniform(positions)) - options_.padding;
  }
  a.flip = options_.horizontal_flip && random->CoinFlip();
  if (options_.cutout_length > 0) {
    const int centre_y = static_cast<int>(random->Uniform(options_.height));
    const int centre_x = static_cast<int>(random->Uniform(options_.width));
    const int half = options_.cutout_length / 2;
    a.cutout_y0 = std::clamp(centre_y - half, 0, options_.height);
    a.cutout_y1 = std::clamp(centre_y + half, 0, options_.height);
    a.cutout_x0 = std::clamp(centre_x - half, 0, options_.width);
    a.cutout_x1 = std::clamp(centre_x + half, 0, options_.width);
  }
  return a;
}

absl::Status CifarTransform::Apply(const ImageView& image, Random* random,
                                   float* output) const {
  const int height = options_.height;
  const int width = options_.width;
  const int channels = options_.channels;
  if (image.height != height || image.width != width ||
      image.channels != channels) {
    return absl::InvalidArgumentError(absl::StrCat(
        "image is ", image.height, "x", image.width, "x", image.channels,
        " (height x width x channels); the CIFAR transform takes ", height, "x",
        width, "x", channels));
  }
  const CifarAugmentation a = Draw(random);
  const int row_bytes = width * channels;
  for (int c = 0; c < channels; ++c) {
    for (int y = 0; y < height; ++y) {
      float* row = output + (int64_t{c} * height + y) * width;
      const int source_y = y + a.dy;
      if (source_y < 0 || source_y >= height) {
        std::fill(row, row + width, bias_[c]);
        continue;
      }
      WriteRow(image.pixels + source_y * row_bytes + c, width, channels, a.dx,
               a.flip, scale_[c], bias_[c], row);
    }
  }
  for (int c = 0; c < channels; ++c) {
    for (int y = a.cutout_y0; y < a.cutout_y1; ++y) {
      float* row = output + (int64_t{c} * height + y) * width;
      std::fill(row + a.cutout_x0, row + a.cutout_x1, 0.0f);
    }
  }
  return absl::OkStatus();
}

}  // namespace mdenas
