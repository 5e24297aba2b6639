// The images of a training job and its loaders: those that train the
// weights and those that measure the network, with their data set's
// transforms. A search splits the training part of its data set into the
// two; a retraining trains on the training part and tests on the test part.
//
//   MDENAS_ASSIGN_OR_RETURN(TrainingData data,
//       OpenSearchData(spec.data(), spec.train_fraction(), spec.split_seed()));
//   MDENAS_ASSIGN_OR_RETURN(TrainingLoaders loaders,
//       MakeTrainingLoaders(data, spec.data().loader_threads(), batch, seed));

#ifndef MDENAS_DATA_TRAINING_DATA_H_
#define MDENAS_DATA_TRAINING_DATA_H_

#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/data_spec.h"
#include "data/image_source.h"
#include "data/loader.h"
#include "mdenas/proto/training.pb.h"

namespace mdenas {

struct TrainingData {
  // The images that train the weights: indices into train_source.
  std::shared_ptr<const ImageSource> train_source;
  std::vector<int64_t> train_images;
  // The images that measure the network: the search's validation split or
  // the retraining's test set.
  std::shared_ptr<const ImageSource> eval_source;
  std::vector<int64_t> eval_images;
  DataTransforms transforms;
  // What a network takes and tells apart.
  ChwShape shape;
  int64_t classes = 0;
  // Says what was opened, for logs and result.json.
  std::string description;
};

// The search's data: the training part of the data set in spec.path()
// (its max_train_images subset drawn with `split_seed`), split with
// `split_seed` into `train_fraction` of the images to train and the rest to
// validate; the standard transforms without cutout.
absl::StatusOr<TrainingData> OpenSearchData(const DataSpec& spec, double train_fraction,
                                            uint64_t split_seed);

// A retraining's data: the training part of the data set in spec.path() to
// train, with cutout of `cutout_length` (0: none), and its test part to
// test (subsets drawn with seed 0).
absl::StatusOr<TrainingData> OpenRetrainingData(const DataSpec& spec, int cutout_length);

// The two loaders of a training job: `train` shuffled through the
// augmenting transform, `eval` in order through the evaluation transform;
// both give part `shard` of `shards` of every batch (LoaderOptions). For a
// CUDA `device` and small fixed-size images (the CIFAR transform's), the
// images live on the device and are augmented there (DeviceLoader, the same
// batches); otherwise `threads` workers make batches on the host.
struct TrainingLoaders {
  std::unique_ptr<Loader> train;
  std::unique_ptr<Loader> eval;
};
absl::StatusOr<TrainingLoaders> MakeTrainingLoaders(const TrainingData& data, int threads,
                                                    int batch_size, uint64_t seed, int shard,
                                                    int shards, const c10::Device& device);

}  // namespace mdenas

#endif  // MDENAS_DATA_TRAINING_DATA_H_
