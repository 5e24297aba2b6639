// The data of a training job as its DataSpec describes it (training.proto):
// the data set opened and checked against the kind the spec names, the
// images the job may use, and the standard transforms of that kind. What the
// search and retraining drivers build their loaders from:
//
//   MDENAS_ASSIGN_OR_RETURN(SpecData data,
//                           OpenDataSpec(spec.data(), folder,
//                           spec.split_seed()));
//   MDENAS_ASSIGN_OR_RETURN(TrainValidationSplit split,
//       SplitTrainValidation(data.train, data.dataset.train->labels(),
//                            spec.train_fraction(), spec.split_seed()));
//   MDENAS_ASSIGN_OR_RETURN(DataTransforms transforms,
//                           MakeDataTransforms(spec.data().dataset(), 0));

#ifndef MDENAS_DATA_DATA_SPEC_H_
#define MDENAS_DATA_DATA_SPEC_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/dataset.h"
#include "data/transform.h"
#include "mdenas/proto/training.pb.h"

namespace mdenas {

struct SpecData {
  Dataset dataset;
  // The training images the job may use: all of them, or a subset of
  // max_train_images drawn with the subset seed. Ascending.
  std::vector<int64_t> train;
  // A subset of max_test_images test images drawn with the subset seed, or
  // all of them. Ascending.
  std::vector<int64_t> test;
};

// Opens the data set in `folder` (spec.path() is the caller's to resolve)
// and checks that it is of the kind spec.dataset() names: CIFAR-10 as the
// binary release or 32x32 RGB JPEG folders, CIFAR-100 as the binary
// release, Fashion-MNIST as 28x28 IDX files, ImageNet as JPEG folders, which
// are decoded as they are read.
// The cheap part of OpenDataSpec, for checking inputs before work starts:
// `folder` holds a data set in a format of the kind spec.dataset() names.
absl::Status CheckDataFolder(const DataSpec& spec, const std::string& folder);

absl::StatusOr<SpecData> OpenDataSpec(const DataSpec& spec,
                                      const std::string& folder,
                                      uint64_t subset_seed);

struct DataTransforms {
  std::shared_ptr<const Transform> train;
  std::shared_ptr<const Transform> eval;
};

// The standard transforms of `dataset`: for CIFAR-10, CIFAR-100 and
// Fashion-MNIST, random crop (padding 4), flip and cutout of
// `cutout_length` (0: none) for training, normalisation alone for
// evaluation, with the data set's statistics; for ImageNet, those of
// imagenet_transform.h.
absl::StatusOr<DataTransforms> MakeDataTransforms(DataSpec::Dataset dataset,
                                                  int cutout_length);

}  // namespace mdenas

#endif  // MDENAS_DATA_DATA_SPEC_H_
