// Folder-per-class image trees, as torchvision's ImageFolder reads them:
// root/<class>/<image>.jpg, where a class's label is the position of its
// folder's name among the sorted names. Names starting with '.' are hidden
// and skipped; files are taken from the class folders themselves, not from
// folders below them.

#ifndef MDENAS_DATA_IMAGE_FOLDER_H_
#define MDENAS_DATA_IMAGE_FOLDER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/image_set.h"
#include "data/image_source.h"

namespace mdenas {

// The image files of one folder tree with their labels.
struct ImageFileList {
  std::vector<std::string> paths;
  std::vector<int32_t> labels;
  std::vector<std::string> class_names;  // Indexed by label.
};

// Lists the JPEG files (.jpg or .jpeg, in any case) of the class folders of
// `root`, by class, then by name. Other files are skipped. A missing root, a
// root without class folders and a class folder without JPEG files are
// errors that name the folder.
absl::StatusOr<ImageFileList> ListImageFolder(const std::string& root);

// Reads and decodes every file of `files` into memory, for data sets whose
// images all have one size (CIFAR-10 as JPEG). Every image must have the
// height, width and channels of the first; the first that does not is an
// error naming its file.
absl::StatusOr<ImageSet> DecodeImageFiles(const ImageFileList& files);

// Writes the images of `source` as JPEG files root/<class>/<number>.jpg at
// `quality` (in [1, 100]), numbered in source order within each class, each
// file atomically. Class names must be folder names ListImageFolder reads
// back: not empty, no '/', not starting with '.'.
absl::Status WriteImageFolder(const ImageSource& source,
                              const std::string& root, int quality);

// The images of `files`, each read and decoded when it is read: for data sets
// too large to hold decoded (ImageNet). Images keep their own size and
// channels.
class JpegFileSource final : public ImageSource {
 public:
  explicit JpegFileSource(ImageFileList files) : files_(std::move(files)) {}

  const std::vector<int32_t>& labels() const override { return files_.labels; }
  const std::vector<std::string>& class_names() const override {
    return files_.class_names;
  }
  absl::StatusOr<ImageView> Read(int64_t index, Image* scratch) const override;

 private:
  ImageFileList files_;
};

}  // namespace mdenas

#endif  // MDENAS_DATA_IMAGE_FOLDER_H_
