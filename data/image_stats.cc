#include "data/image_stats.h"

#include <algorithm>
#include <cmath>

#include "mdenas/base/status_macros.h"

namespace mdenas {

absl::StatusOr<ImageStats> ComputeImageStats(
    const ImageSource& source, const std::vector<int64_t>& indices) {
  ImageStats stats;
  // Exact integer sums: 2^64 / 255^2 pixels is far beyond any data set.
  std::vector<uint64_t> sums;
  std::vector<uint64_t> squares;
  std::vector<uint64_t> counts;
  Image scratch;
  for (const int64_t index : indices) {
    MDENAS_ASSIGN_OR_RETURN(const ImageView image,
                            source.Read(index, &scratch));
    if (stats.images == 0) {
      stats.min_height = stats.max_height = image.height;
      stats.min_width = stats.max_width = image.width;
      stats.min_channels = stats.max_channels = image.channels;
    }
    ++stats.images;
    stats.min_height = std::min(stats.min_height, image.height);
    stats.max_height = std::max(stats.max_height, image.height);
    stats.min_width = std::min(stats.min_width, image.width);
    stats.max_width = std::max(stats.max_width, image.width);
    stats.min_channels = std::min(stats.min_channels, image.channels);
    stats.max_channels = std::max(stats.max_channels, image.channels);
    if (static_cast<int>(sums.size()) < image.channels) {
      sums.resize(image.channels);
      squares.resize(image.channels);
      counts.resize(image.channels);
    }
    const int64_t pixels = int64_t{image.height} * image.width;
    for (int c = 0; c < image.channels; ++c) {
      uint64_t sum = 0;
      uint64_t square = 0;
      for (int64_t p = 0; p < pixels; ++p) {
        const uint64_t value = image.pixels[p * image.channels + c];
        sum += value;
        square += value * value;
      }
      sums[c] += sum;
      squares[c] += square;
      counts[c] += static_cast<uint64_t>(pixels);
    }
  }
  for (size_t c = 0; c < sums.size(); ++c) {
    const double n = static_cast<double>(counts[c]);
    const double mean = static_cast<double>(sums[c]) / n;
    const double variance =
        std::max(0.0, static_cast<double>(squares[c]) / n - mean * mean);
    stats.mean.push_back(mean / 255.0);
    stats.std.push_back(std::sqrt(variance) / 255.0);
  }
  return stats;
}

}  // namespace mdenas
