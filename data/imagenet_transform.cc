#include "data/imagenet_transform.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

constexpr int kChannels = 3;

// A rectangle of the source image: rows [top, top + height), columns
// [left, left + width).
struct Box {
  int top = 0;
  int left = 0;
  int height = 0;
  int width = 0;
};

// Python's round(), which rounds halves to even, as torchvision's arithmetic
// does (in the default rounding mode).
int RoundHalfEven(double value) {
  return static_cast<int>(std::nearbyint(value));
}

// torchvision's RandomResizedCrop.get_params: ten tries at a random area and
// aspect ratio, then a centre crop at the nearest allowed ratio.
Box RandomResizedCropBox(int height, int width,
                         const ImageNetTransformOptions& options,
                         Random* random) {
  const double area = static_cast<double>(height) * width;
  const double log_min_ratio = std::log(options.min_aspect_ratio);
  const double log_max_ratio = std::log(options.max_aspect_ratio);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area =
        area * random->UniformReal(options.min_scale, options.max_scale);
    const double ratio =
        std::exp(random->UniformReal(log_min_ratio, log_max_ratio));
    const int w = RoundHalfEven(std::sqrt(target_area * ratio));
    const int h = RoundHalfEven(std::sqrt(target_area / ratio));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const int top = static_cast<int>(random->Uniform(height - h + 1));
      const int left = static_cast<int>(random->Uniform(width - w + 1));
      return {top, left, h, w};
    }
  }
  const double ratio = static_cast<double>(width) / height;
  int w = width;
  int h = height;
  if (ratio < options.min_aspect_ratio) {
    h = std::max(1, RoundHalfEven(w / options.min_aspect_ratio));
  } else if (ratio > options.max_aspect_ratio) {
    w = std::max(1, RoundHalfEven(h * options.max_aspect_ratio));
  }
  h = std::min(h, height);
  w = std::min(w, width);
  return {(height - h) / 2, (width - w) / 2, h, w};
}

// Where output index i of one axis reads from: source indices `low` and
// `high` of the box, mixed with weight `fraction` on `high`.
struct Tap {
  int low;
  int high;
  float fraction;
};

// The taps of `count` outputs along an axis where the box's `box_size` pixels
// are scaled to `scaled_size` and the outputs start at `offset` in the scaled
// image; reversed when `flip`.
std::vector<Tap> Taps(int count, int box_size, int scaled_size, int offset,
                      bool flip) {
  const double scale = static_cast<double>(box_size) / scaled_size;
  std::vector<Tap> taps(count);
  for (int i = 0; i < count; ++i) {
    const double source = std::max(0.0, (i + offset + 0.5) * scale - 0.5);
    const int low = std::min(static_cast<int>(source), box_size - 1);
    taps[flip ? count - 1 - i : i] = {low, std::min(low + 1, box_size - 1),
                                      static_cast<float>(source - low)};
  }
  return taps;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ImageNetTransform>> ImageNetTransform::Create(
    const ImageNetTransformOptions& options) {
  if (options.output_size <= 0 || options.resize_size < options.output_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ImageNet transform: output size ", options.output_size,
        " must be positive and at most the resize size ", options.resize_size));
  }
  if (!(options.min_scale > 0 && options.min_scale <= options.max_scale &&
        options.max_scale <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("ImageNet transform: scale range [", options.min_scale,
                     ", ", options.max_scale, "] must lie within (0, 1]"));
  }
  if (!(options.min_aspect_ratio > 0 &&
        options.min_aspect_ratio <= options.max_aspect_ratio)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ImageNet transform: aspect ratio range [", options.min_aspect_ratio,
        ", ", options.max_aspect_ratio, "] must be positive and ordered"));
  }
  MDENAS_RETURN_IF_ERROR(
      ValidateNormalization(options.normalization, kChannels));
  return std::unique_ptr<ImageNetTransform>(new ImageNetTransform(options));
}

ChwShape ImageNetTransform::output_shape() const {
  return {kChannels, options_.output_size, options_.output_size};
}

absl::Status ImageNetTransform::Apply(const ImageView& image, Random* random,
                                      float* output) const {
  if (image.height <= 0 || image.width <= 0 ||
      (image.channels != 1 && image.channels != kChannels)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "image is ", image.height, "x", image.width, "x", image.channels,
        " (height x width x channels); the ImageNet transform takes images "
        "with 1 or 3 channels"));
  }
  const int size = options_.output_size;
  Box box;
  int scaled_height = size;
  int scaled_width = size;
  int offset_y = 0;
  int offset_x = 0;
  bool flip = false;
  if (options_.train) {
    box = RandomResizedCropBox(image.height, image.width, options_, random);
    flip = options_.horizontal_flip && random->CoinFlip();
  } else {
    // Resize(resize_size): the shorter side to resize_size, the longer in
    // proportion, truncated; then the centre crop.
    box = {0, 0, image.height, image.width};
    const int shorter = std::min(image.height, image.width);
    const int longer = std::max(image.height, image.width);
    const int scaled_longer = static_cast<int>(
        static_cast<int64_t>(options_.resize_size) * longer / shorter);
    const bool tall = image.height >= image.width;
    scaled_height = tall ? scaled_longer : options_.resize_size;
    scaled_width = tall ? options_.resize_size : scaled_longer;
    offset_y = RoundHalfEven((scaled_height - size) / 2.0);
    offset_x = RoundHalfEven((scaled_width - size) / 2.0);
  }
  const std::vector<Tap> rows =
      Taps(size, box.height, scaled_height, offset_y, /*flip=*/false);
  const std::vector<Tap> columns =
      Taps(size, box.width, scaled_width, offset_x, flip);
  const int channels = image.channels;
  const int64_t row_bytes = int64_t{image.width} * channels;
  const uint8_t* origin =
      image.pixels + box.top * row_bytes + int64_t{box.left} * channels;
  const int64_t plane = int64_t{size} * size;
  for (int c = 0; c < kChannels; ++c) {
    const float std = options_.normalization.std[c];
    const float scale = 1.0f / (255.0f * std);
    const float bias = -options_.normalization.mean[c] / std;
    const int source_channel = channels == 1 ? 0 : c;
    for (int y = 0; y < size; ++y) {
      const Tap& row = rows[y];
      const uint8_t* low_row = origin + row.low * row_bytes + source_channel;
      const uint8_t* high_row = origin + row.high * row_bytes + source_channel;
      float* out = output + c * plane + int64_t{y} * size;
      for (int x = 0; x < size; ++x) {
        const Tap& column = columns[x];
        const int64_t low = int64_t{column.low} * channels;
        const int64_t high = int64_t{column.high} * channels;
        const float top =
            low_row[low] + column.fraction * (low_row[high] - low_row[low]);
        const float bottom =
            high_row[low] + column.fraction * (high_row[high] - high_row[low]);
        out[x] = (top + row.fraction * (bottom - top)) * scale + bias;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace mdenas
