// What //data:inspect reports about the images of a data set: their sizes
// and channels, and the per-channel mean and standard deviation of
// pixel / 255 from which a Normalization is made.

#ifndef MDENAS_DATA_IMAGE_STATS_H_
#define MDENAS_DATA_IMAGE_STATS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "data/image_source.h"

namespace mdenas {

struct ImageStats {
  int64_t images = 0;
  int min_height = 0;
  int max_height = 0;
  int min_width = 0;
  int max_width = 0;
  int min_channels = 0;
  int max_channels = 0;
  // Per channel, over the pixels of the images that have that channel.
  std::vector<double> mean;
  std::vector<double> std;
};

// Reads the images `indices` of `source`; the first that cannot be read is
// the error.
absl::StatusOr<ImageStats> ComputeImageStats(
    const ImageSource& source, const std::vector<int64_t>& indices);

}  // namespace mdenas

#endif  // MDENAS_DATA_IMAGE_STATS_H_
