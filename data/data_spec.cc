#include "data/data_spec.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "data/cifar_transform.h"
#include "data/imagenet_transform.h"
#include "data/split.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

// What the images of a data set of each kind look like; not ImageNet's,
// whose sizes vary.
struct Kind {
  int height;
  int width;
  int channels;
  Normalization normalization;
};

Kind KindOf(DataSpec::Dataset dataset) {
  if (dataset == DataSpec::FASHION_MNIST) {
    return {28, 28, 1, FashionMnistNormalization()};
  }
  if (dataset == DataSpec::CIFAR100)
    return {32, 32, 3, Cifar100Normalization()};
  return {32, 32, 3, Cifar10Normalization()};
}

bool FormatFits(DataSpec::Dataset dataset, DataFormat format) {
  switch (dataset) {
    case DataSpec::CIFAR10:
      return format == DataFormat::kCifar10Binary ||
             format == DataFormat::kJpegFolders;
    case DataSpec::CIFAR100:
      return format == DataFormat::kCifar100Binary;
    case DataSpec::FASHION_MNIST:
      return format == DataFormat::kIdx;
    case DataSpec::IMAGENET:
      return format == DataFormat::kJpegFolders;
  }
  return false;
}

}  // namespace

absl::Status CheckDataFolder(const DataSpec& spec, const std::string& folder) {
  MDENAS_ASSIGN_OR_RETURN(const DataLocation location, DetectFormat(folder));
  if (!FormatFits(spec.dataset(), location.format)) {
    return absl::InvalidArgumentError(absl::StrCat(
        location.directory, ": holds ", DataFormatName(location.format),
        " data, which is not how ", DataSpec::Dataset_Name(spec.dataset()),
        " is stored"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SpecData> OpenDataSpec(const DataSpec& spec,
                                      const std::string& folder,
                                      uint64_t subset_seed) {
  const DataSpec::Dataset dataset = spec.dataset();
  const std::string& name = DataSpec::Dataset_Name(dataset);
  MDENAS_RETURN_IF_ERROR(CheckDataFolder(spec, folder));
  MDENAS_ASSIGN_OR_RETURN(const DataLocation location, DetectFormat(folder));
  OpenOptions options;
  options.decode_jpeg_into_memory = dataset != DataSpec::IMAGENET;
  SpecData data;
  MDENAS_ASSIGN_OR_RETURN(data.dataset, OpenDataset(folder, options));
  if (dataset != DataSpec::IMAGENET) {
    const Kind kind = KindOf(dataset);
    const ImageSet& set =
        dynamic_cast<const ImageSetSource&>(*data.dataset.train).set();
    if (set.height != kind.height || set.width != kind.width ||
        set.channels != kind.channels) {
      return absl::InvalidArgumentError(
          absl::StrCat(location.directory, ": images are ", set.height, "x",
                       set.width, "x", set.channels, "; ", name, " images are ",
                       kind.height, "x", kind.width, "x", kind.channels));
    }
  }
  data.train = RandomSubset(FirstIndices(data.dataset.train->size()),
                            spec.max_train_images(), subset_seed);
  // Folder-per-class data lists the test images class by class: a prefix
  // would hold only the first classes.
  data.test = RandomSubset(FirstIndices(data.dataset.test->size()),
                           spec.max_test_images(), subset_seed);
  return data;
}

absl::StatusOr<DataTransforms> MakeDataTransforms(DataSpec::Dataset dataset,
                                                  int cutout_length) {
  DataTransforms transforms;
  if (dataset == DataSpec::IMAGENET) {
    ImageNetTransformOptions options;
    MDENAS_ASSIGN_OR_RETURN(transforms.train,
                            ImageNetTransform::Create(options));
    options.train = false;
    MDENAS_ASSIGN_OR_RETURN(transforms.eval,
                            ImageNetTransform::Create(options));
    return transforms;
  }
  const Kind kind = KindOf(dataset);
  CifarTransformOptions options;
  options.height = kind.height;
  options.width = kind.width;
  options.channels = kind.channels;
  options.normalization = kind.normalization;
  options.cutout_length = cutout_length;
  MDENAS_ASSIGN_OR_RETURN(transforms.train, CifarTransform::Create(options));
  MDENAS_ASSIGN_OR_RETURN(transforms.eval,
                          CifarTransform::Create(EvalOptions(options)));
  return transforms;
}

}  // namespace mdenas
