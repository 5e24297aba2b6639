#include "data/image_folder.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "data/jpeg.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

bool IsHidden(const std::string& name) { return name.front() == '.'; }

bool IsJpegName(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  return absl::EndsWith(lower, ".jpg") || absl::EndsWith(lower, ".jpeg");
}

absl::StatusOr<Image> ReadJpeg(const std::string& path) {
  MDENAS_ASSIGN_OR_RETURN(const std::string data, ReadFile(path));
  return DecodeJpeg(data, path);
}

}  // namespace

absl::StatusOr<ImageFileList> ListImageFolder(const std::string& root) {
  if (!IsDirectory(root)) {
    return absl::NotFoundError(absl::StrCat(
        root, ": no such folder (expected one folder of images per class)"));
  }
  MDENAS_ASSIGN_OR_RETURN(const std::vector<std::string> names,
                          ListDirectory(root));
  ImageFileList list;
  for (const std::string& name : names) {
    const std::string class_dir = JoinPath(root, name);
    if (IsHidden(name) || !IsDirectory(class_dir)) continue;
    const int32_t label = static_cast<int32_t>(list.class_names.size());
    list.class_names.push_back(name);
    MDENAS_ASSIGN_OR_RETURN(const std::vector<std::string> files,
                            ListDirectory(class_dir));
    const size_t before = list.paths.size();
    for (const std::string& file : files) {
      if (IsHidden(file) || !IsJpegName(file)) continue;
      list.paths.push_back(JoinPath(class_dir, file));
      list.labels.push_back(label);
    }
    if (list.paths.size() == before) {
      return absl::InvalidArgumentError(absl::StrCat(
          class_dir, ": class folder holds no JPEG files (.jpg, .jpeg)"));
    }
  }
  if (list.class_names.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        root,
        ": holds no class folders (expected one folder of images per "
        "class)"));
  }
  return list;
}

absl::StatusOr<ImageSet> DecodeImageFiles(const ImageFileList& files) {
  ImageSet set;
  set.class_names = files.class_names;
  set.labels = files.labels;
  for (size_t i = 0; i < files.paths.size(); ++i) {
    MDENAS_ASSIGN_OR_RETURN(const Image image, ReadJpeg(files.paths[i]));
    if (i == 0) {
      set.height = image.height;
      set.width = image.width;
      set.channels = image.channels;
      set.pixels.reserve(files.paths.size() * image.pixels.size());
    } else if (image.height != set.height || image.width != set.width ||
               image.channels != set.channels) {
      return absl::InvalidArgumentError(absl::StrCat(
          files.paths[i], ": image is ", image.height, "x", image.width, "x",
          image.channels, " (height x width x channels), but ", files.paths[0],
          " and the images before it are ", set.height, "x", set.width, "x",
          set.channels));
    }
    set.pixels.insert(set.pixels.end(), image.pixels.begin(),
                      image.pixels.end());
  }
  return set;
}

absl::Status WriteImageFolder(const ImageSource& source,
                              const std::string& root, int quality) {
  if (source.size() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(root, ": no images to write"));
  }
  const std::vector<std::string>& class_names = source.class_names();
  std::vector<int64_t> class_sizes(class_names.size());
  for (const int32_t label : source.labels()) ++class_sizes[label];
  for (const std::string& name : class_names) {
    if (name.empty() || IsHidden(name) || name.find('/') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "class name \"", name, "\" cannot be the name of a class folder"));
    }
    MDENAS_RETURN_IF_ERROR(MakeDirectories(JoinPath(root, name)));
  }
  // Numbers of one width, so that names sort in number order.
  const int64_t largest =
      *std::max_element(class_sizes.begin(), class_sizes.end());
  const int digits = std::max<int>(4, absl::StrCat(largest - 1).size());
  std::vector<int64_t> numbers(class_names.size());
  Image scratch;
  for (int64_t i = 0; i < source.size(); ++i) {
    MDENAS_ASSIGN_OR_RETURN(const ImageView image, source.Read(i, &scratch));
    MDENAS_ASSIGN_OR_RETURN(const std::string jpeg, EncodeJpeg(image, quality));
    const int32_t label = source.labels()[i];
    const std::string name =
        absl::StrFormat("%0*d.jpg", digits, numbers[label]++);
    MDENAS_RETURN_IF_ERROR(WriteFileAtomically(
        JoinPath(JoinPath(root, class_names[label]), name), jpeg));
  }
  return absl::OkStatus();
}

absl::StatusOr<ImageView> JpegFileSource::Read(int64_t index,
                                               Image* scratch) const {
  if (index < 0 || index >= size()) {
    return absl::OutOfRangeError(absl::StrCat(
        "image index ", index, " is outside the ", size(), " files"));
  }
  MDENAS_ASSIGN_OR_RETURN(*scratch, ReadJpeg(files_.paths[index]));
  return scratch->view();
}

}  // namespace mdenas
