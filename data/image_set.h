// Decoded images in memory: one image (Image, ImageView) and a labelled set of
// images of one size (ImageSet), which every binary-format reader produces and
// the loader reads from. Pixels are uint8 in HWC order (rows of pixels, each
// pixel's channels side by side), as JPEG decoders produce them.

#ifndef MDENAS_DATA_IMAGE_SET_H_
#define MDENAS_DATA_IMAGE_SET_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mdenas {

// The two parts of a data set as it is distributed. ImageNet's val/ counts as
// the test part; the validation split of a search is cut from kTrain
// (split.h).
enum class DataSplit { kTrain, kTest };

// A read-only view of one image: height * width * channels bytes, HWC.
struct ImageView {
  const uint8_t* pixels = nullptr;
  int height = 0;
  int width = 0;
  int channels = 0;
};

// One image that owns its pixels.
struct Image {
  int height = 0;
  int width = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;  // height * width * channels bytes, HWC.

  ImageView view() const { return {pixels.data(), height, width, channels}; }
};

// Labelled images that all have the same height, width and channels.
struct ImageSet {
  int height = 0;
  int width = 0;
  int channels = 0;
  // size() images of image_bytes() bytes each, one after the other.
  std::vector<uint8_t> pixels;
  // One per image, each in [0, class_names.size()).
  std::vector<int32_t> labels;
  // Indexed by label.
  std::vector<std::string> class_names;

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  int64_t image_bytes() const {
    return static_cast<int64_t>(height) * width * channels;
  }
  // Image `index`, in [0, size()).
  ImageView image(int64_t index) const {
    return {pixels.data() + index * image_bytes(), height, width, channels};
  }
};

}  // namespace mdenas

#endif  // MDENAS_DATA_IMAGE_SET_H_
