#include "data/dataset.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/cifar_binary.h"
#include "data/idx.h"
#include "data/image_folder.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

std::string ShapeText(const ImageSet& set) {
  return absl::StrCat(set.height, "x", set.width, "x", set.channels);
}

// Both parts of a data set held in memory; `train`'s class names serve both
// when `test` has fewer (an IDX test part may lack the last labels).
Dataset InMemory(DataLocation location, ImageSet train, ImageSet test) {
  if (test.class_names.size() < train.class_names.size()) {
    test.class_names = train.class_names;
  } else {
    train.class_names = test.class_names;
  }
  return {std::move(location),
          std::make_shared<ImageSetSource>(std::move(train)),
          std::make_shared<ImageSetSource>(std::move(test))};
}

absl::StatusOr<Dataset> OpenCifar(DataLocation location, CifarVariant variant) {
  MDENAS_ASSIGN_OR_RETURN(
      ImageSet train,
      ReadCifarBinary(variant, location.directory, DataSplit::kTrain));
  MDENAS_ASSIGN_OR_RETURN(
      ImageSet test,
      ReadCifarBinary(variant, location.directory, DataSplit::kTest));
  return InMemory(std::move(location), std::move(train), std::move(test));
}

absl::StatusOr<Dataset> OpenIdx(DataLocation location) {
  MDENAS_ASSIGN_OR_RETURN(ImageSet train,
                          ReadIdx(location.directory, DataSplit::kTrain));
  MDENAS_ASSIGN_OR_RETURN(ImageSet test,
                          ReadIdx(location.directory, DataSplit::kTest));
  if (train.height != test.height || train.width != test.width ||
      train.channels != test.channels) {
    return absl::InvalidArgumentError(
        absl::StrCat(location.directory, ": test images are ", ShapeText(test),
                     " but training images are ", ShapeText(train)));
  }
  return InMemory(std::move(location), std::move(train), std::move(test));
}

absl::StatusOr<Dataset> OpenJpegFolders(DataLocation location,
                                        const OpenOptions& options) {
  const std::string train_dir = JoinPath(location.directory, "train");
  std::string test_dir = JoinPath(location.directory, "test");
  if (!IsDirectory(test_dir)) test_dir = JoinPath(location.directory, "val");
  if (!IsDirectory(test_dir)) {
    return absl::NotFoundError(absl::StrCat(
        location.directory, ": has train/ but neither test/ nor val/"));
  }
  MDENAS_ASSIGN_OR_RETURN(ImageFileList train, ListImageFolder(train_dir));
  MDENAS_ASSIGN_OR_RETURN(ImageFileList test, ListImageFolder(test_dir));
  if (test.class_names != train.class_names) {
    return absl::InvalidArgumentError(absl::StrCat(
        test_dir, ": class folders (", absl::StrJoin(test.class_names, ", "),
        ") differ from those of ", train_dir, " (",
        absl::StrJoin(train.class_names, ", "), ")"));
  }
  if (!options.decode_jpeg_into_memory) {
    return Dataset{std::move(location),
                   std::make_shared<JpegFileSource>(std::move(train)),
                   std::make_shared<JpegFileSource>(std::move(test))};
  }
  MDENAS_ASSIGN_OR_RETURN(ImageSet train_set, DecodeImageFiles(train));
  MDENAS_ASSIGN_OR_RETURN(ImageSet test_set, DecodeImageFiles(test));
  if (train_set.height != test_set.height ||
      train_set.width != test_set.width ||
      train_set.channels != test_set.channels) {
    return absl::InvalidArgumentError(
        absl::StrCat(test.paths[0], ": image is ", ShapeText(test_set),
                     " (height x width x channels), but the images of ",
                     train_dir, " are ", ShapeText(train_set)));
  }
  return InMemory(std::move(location), std::move(train_set),
                  std::move(test_set));
}

}  // namespace

const char* DataFormatName(DataFormat format) {
  switch (format) {
    case DataFormat::kCifar10Binary:
      return "cifar10-bin";
    case DataFormat::kCifar100Binary:
      return "cifar100-bin";
    case DataFormat::kIdx:
      return "idx";
    case DataFormat::kJpegFolders:
      return "jpeg-folders";
  }
  return "unknown";
}

absl::StatusOr<DataLocation> DetectFormat(const std::string& path) {
  if (!IsDirectory(path)) {
    return absl::NotFoundError(
        absl::StrCat(path, ": no such folder (expected a data set folder)"));
  }
  const struct {
    CifarVariant variant;
    DataFormat format;
    const char* release_folder;
  } kCifarReleases[] = {
      {CifarVariant::kCifar10, DataFormat::kCifar10Binary,
       "cifar-10-batches-bin"},
      {CifarVariant::kCifar100, DataFormat::kCifar100Binary,
       "cifar-100-binary"},
  };
  for (const auto& release : kCifarReleases) {
    for (const std::string& dir :
         {path, JoinPath(path, release.release_folder)}) {
      if (HasCifarBinaryFiles(release.variant, dir)) {
        return DataLocation{release.format, dir};
      }
    }
  }
  if (HasIdxFiles(path)) return DataLocation{DataFormat::kIdx, path};
  if (IsDirectory(JoinPath(path, "train"))) {
    return DataLocation{DataFormat::kJpegFolders, path};
  }
  return absl::NotFoundError(absl::StrCat(
      path,
      ": holds no data set: looked for CIFAR-10 binary files "
      "(data_batch_1.bin, also in cifar-10-batches-bin/), CIFAR-100 binary "
      "files (train.bin, also in cifar-100-binary/), IDX files "
      "(train-images-idx3-ubyte[.gz]) and JPEG folders (train/<class>/)"));
}

absl::StatusOr<Dataset> OpenDataset(const std::string& path,
                                    const OpenOptions& options) {
  MDENAS_ASSIGN_OR_RETURN(DataLocation location, DetectFormat(path));
  switch (location.format) {
    case DataFormat::kCifar10Binary:
      return OpenCifar(std::move(location), CifarVariant::kCifar10);
    case DataFormat::kCifar100Binary:
      return OpenCifar(std::move(location), CifarVariant::kCifar100);
    case DataFormat::kIdx:
      return OpenIdx(std::move(location));
    case DataFormat::kJpegFolders:
      return OpenJpegFolders(std::move(location), options);
  }
  return absl::InternalError("unknown data format");
}

}  // namespace mdenas
