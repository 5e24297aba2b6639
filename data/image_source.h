// Random access to the labelled images of one split of a data set, whether
// they are decoded in memory or decoded from files on each read. The loader
// and the tools read every data set through this interface.

#ifndef MDENAS_DATA_IMAGE_SOURCE_H_
#define MDENAS_DATA_IMAGE_SOURCE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "data/image_set.h"

namespace mdenas {

class ImageSource {
 public:
  virtual ~ImageSource() = default;

  // One label per image, each in [0, class_names().size()).
  virtual const std::vector<int32_t>& labels() const = 0;
  // Indexed by label.
  virtual const std::vector<std::string>& class_names() const = 0;
  int64_t size() const { return static_cast<int64_t>(labels().size()); }

  // Image `index`. The view points into the source or into `*scratch`, and
  // stays valid as long as both are left alone. Safe to call from several
  // threads at once, each with its own scratch image.
  virtual absl::StatusOr<ImageView> Read(int64_t index,
                                         Image* scratch) const = 0;
};

// The images of an ImageSet, which it holds.
class ImageSetSource final : public ImageSource {
 public:
  explicit ImageSetSource(ImageSet set) : set_(std::move(set)) {}

  const ImageSet& set() const { return set_; }

  const std::vector<int32_t>& labels() const override { return set_.labels; }
  const std::vector<std::string>& class_names() const override {
    return set_.class_names;
  }
  absl::StatusOr<ImageView> Read(int64_t index, Image* scratch) const override;

 private:
  ImageSet set_;
};

}  // namespace mdenas

#endif  // MDENAS_DATA_IMAGE_SOURCE_H_
