#include "data/training_data.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/cifar_transform.h"
#include "data/device_loader.h"
#include "data/split.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

// Fills what both kinds of job take from the opened data set, and the
// description, which calls the measuring images `eval_part`.
void Describe(const DataSpec& spec, const SpecData& opened, const char* eval_part,
              TrainingData* data) {
  data->shape = data->transforms.train->output_shape();
  data->classes = static_cast<int64_t>(opened.dataset.train->class_names().size());
  data->description = absl::StrCat(
      DataSpec::Dataset_Name(spec.dataset()), ", ",
      DataFormatName(opened.dataset.location.format), " at ",
      opened.dataset.location.directory, ": ", data->train_images.size(), " training and ",
      data->eval_images.size(), " ", eval_part, " images");
}

}  // namespace

absl::StatusOr<TrainingData> OpenSearchData(const DataSpec& spec, double train_fraction,
                                            uint64_t split_seed) {
  MDENAS_ASSIGN_OR_RETURN(const SpecData opened, OpenDataSpec(spec, spec.path(), split_seed));
  MDENAS_ASSIGN_OR_RETURN(
      TrainValidationSplit split,
      SplitTrainValidation(opened.train, opened.dataset.train->labels(), train_fraction,
                           split_seed));
  if (split.train.empty() || split.validation.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        spec.path(), ": splitting ", opened.train.size(), " images with train_fraction ",
        train_fraction, " leaves one side empty"));
  }
  TrainingData data;
  data.train_source = opened.dataset.train;
  data.train_images = std::move(split.train);
  data.eval_source = opened.dataset.train;
  data.eval_images = std::move(split.validation);
  MDENAS_ASSIGN_OR_RETURN(data.transforms, MakeDataTransforms(spec.dataset(), 0));
  Describe(spec, opened, "validation", &data);
  return data;
}

absl::StatusOr<TrainingData> OpenRetrainingData(const DataSpec& spec, int cutout_length) {
  MDENAS_ASSIGN_OR_RETURN(const SpecData opened, OpenDataSpec(spec, spec.path(), 0));
  TrainingData data;
  data.train_source = opened.dataset.train;
  data.train_images = opened.train;
  data.eval_source = opened.dataset.test;
  data.eval_images = opened.test;
  MDENAS_ASSIGN_OR_RETURN(data.transforms, MakeDataTransforms(spec.dataset(), cutout_length));
  Describe(spec, opened, "test", &data);
  return data;
}

namespace {

absl::StatusOr<std::unique_ptr<Loader>> MakeLoader(std::shared_ptr<const ImageSource> source,
                                                   std::vector<int64_t> indices,
                                                   std::shared_ptr<const Transform> transform,
                                                   const LoaderOptions& options,
                                                   const c10::Device& device) {
  if (auto cifar = std::dynamic_pointer_cast<const CifarTransform>(transform);
      cifar != nullptr && device.is_cuda()) {
    return DeviceLoader::Create(*source, std::move(indices), std::move(cifar), options, device);
  }
  return Loader::Create(std::move(source), std::move(indices), std::move(transform), options);
}

}  // namespace

absl::StatusOr<TrainingLoaders> MakeTrainingLoaders(const TrainingData& data, int threads,
                                                    int batch_size, uint64_t seed, int shard,
                                                    int shards, const c10::Device& device) {
  LoaderOptions options;
  options.shard = shard;
  options.shards = shards;
  options.batch_size = batch_size;
  options.threads = threads;
  options.seed = seed;
  TrainingLoaders loaders;
  MDENAS_ASSIGN_OR_RETURN(loaders.train, MakeLoader(data.train_source, data.train_images,
                                                    data.transforms.train, options, device));
  options.shuffle = false;
  MDENAS_ASSIGN_OR_RETURN(loaders.eval, MakeLoader(data.eval_source, data.eval_images,
                                                   data.transforms.eval, options, device));
  return loaders;
}

}  // namespace mdenas
