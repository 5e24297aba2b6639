#include "data/cifar_transform.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

// One output row: output[x] = row[(x + dx) * channels], or
// row[(width - 1 - x + dx) * channels] when flipped, where that column lies
// inside the image, and `padding` elsewhere. `row` points at the row's first
// value of the output's channel.
void CopyRow(const float* row, int width, int channels, int dx, bool flip,
             float padding, float* output) {
  const int begin = std::clamp(flip ? dx : -dx, 0, width);
  const int end = std::clamp(flip ? width + dx : width - dx, begin, width);
  std::fill(output, output + begin, padding);
  if (flip) {
    const int mirror = width - 1 + dx;
    for (int x = begin; x < end; ++x) output[x] = row[(mirror - x) * channels];
  } else {
    for (int x = begin; x < end; ++x) output[x] = row[(x + dx) * channels];
  }
  std::fill(output + end, output + width, padding);
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
    bias_.push_back(-options.normalization.mean[c] / std);
  }
  for (int x = 0; x < options.width; ++x) {
    for (int c = 0; c < options.channels; ++c) {
      row_scale_.push_back(1.0f / (255.0f * options.normalization.std[c]));
      row_bias_.push_back(bias_[c]);
    }
  }
}

ChwShape CifarTransform::output_shape() const {
  return {options_.channels, options_.height, options_.width};
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
  // Draws in a fixed order: crop row, crop column, flip, cutout centre.
  // Output pixel (y, x) reads padded-image pixel (y + dy + padding, ...),
  // that is image pixel (y + dy, x + dx).
  int dy = 0;
  int dx = 0;
  if (options_.padding > 0) {
    const int positions = 2 * options_.padding + 1;
    dy = static_cast<int>(random->Uniform(positions)) - options_.padding;
    dx = static_cast<int>(random->Uniform(positions)) - options_.padding;
  }
  const bool flip = options_.horizontal_flip && random->CoinFlip();
  // Each source row is normalised once, in one contiguous loop that the
  // compiler vectorises, then copied to its place in each channel's plane.
  const int row_values = width * channels;
  std::vector<float> normalised(row_values);
  for (int y = 0; y < height; ++y) {
    const int source_y = y + dy;
    if (source_y < 0 || source_y >= height) {
      for (int c = 0; c < channels; ++c) {
        float* row = output + (int64_t{c} * height + y) * width;
        std::fill(row, row + width, bias_[c]);
      }
      continue;
    }
    const uint8_t* pixels = image.pixels + int64_t{source_y} * row_values;
    for (int i = 0; i < row_values; ++i) {
      normalised[i] =
          static_cast<float>(pixels[i]) * row_scale_[i] + row_bias_[i];
    }
    for (int c = 0; c < channels; ++c) {
      CopyRow(normalised.data() + c, width, channels, dx, flip, bias_[c],
              output + (int64_t{c} * height + y) * width);
    }
  }
  if (options_.cutout_length > 0) {
    const int centre_y = static_cast<int>(random->Uniform(height));
    const int centre_x = static_cast<int>(random->Uniform(width));
    const int half = options_.cutout_length / 2;
    const int y0 = std::clamp(centre_y - half, 0, height);
    const int y1 = std::clamp(centre_y + half, 0, height);
    const int x0 = std::clamp(centre_x - half, 0, width);
    const int x1 = std::clamp(centre_x + half, 0, width);
    for (int c = 0; c < channels; ++c) {
      for (int y = y0; y < y1; ++y) {
        float* row = output + (int64_t{c} * height + y) * width;
        std::fill(row + x0, row + x1, 0.0f);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace mdenas
