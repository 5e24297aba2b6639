// Batches for training and evaluation: images of an ImageSource, taken in the
// order of an index list, transformed and stacked into libtorch tensors by
// worker threads a bounded number of batches ahead of the consumer.
//
// Determinism: the order of epoch e is a shuffle keyed by (seed, e), and the
// augmentation of an image is keyed by (seed, e, the image's index in the
// source). Neither depends on the number of threads or on timing, so one seed
// gives bit-identical batches with any number of threads, and a run resumed
// with StartEpoch(e) sees exactly what an uninterrupted run saw from epoch e.
//
//   MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<Loader> loader,
//                           Loader::Create(data.train, split.train,
//                                          transform, options));
//   for (int epoch = first_epoch; epoch < epochs; ++epoch) {
//     loader->StartEpoch(epoch);
//     while (std::optional<Batch> batch = loader->Next()) Step(*batch);
//     MDENAS_RETURN_IF_ERROR(loader->status());
//   }

#ifndef MDENAS_DATA_LOADER_H_
#define MDENAS_DATA_LOADER_H_

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/image_source.h"
#include "data/random.h"
#include "data/transform.h"

namespace mdenas {

struct LoaderOptions {
  // Images per batch. Default: 64.
  int batch_size = 64;
  // Visit the indices in a new seeded order each epoch; false: in the order
  // given (evaluation). Default: true.
  bool shuffle = true;
  // Leave out the last batch of an epoch when it has fewer than batch_size
  // images. Default: false.
  bool drop_last = false;
  // Worker threads that read, transform and stack images; at least 1.
  // Default: 1.
  int threads = 1;
  // Batches made ahead of the consumer, ready or in the making; at least 1.
  // Default: 4.
  int prefetch_batches = 4;
  // Seed of the order and of the augmentation. Default: 1.
  uint64_t seed = 1;
  // Data-parallel training: each batch is part `shard` of `shards` of the
  // batch the unsharded loader gives, split as torch's tensor_split splits
  // it (nearly equal, the first batch_size % shards parts one image
  // larger): the shards of all processes together are that batch, and
  // shard i is what micro-batch i of a one-process run sees
  // (OptimizerSpec.micro_batches). Defaults: 0 of 1.
  int shard = 0;
  int shards = 1;
};

struct Batch {
  torch::Tensor images;  // float32, [n, channels, height, width].
  torch::Tensor labels;  // int64, [n].
  // Images in the whole batch that this is a shard of (n when unsharded):
  // a shard's mean loss weighs whole_size / n less than the batch's.
  int64_t whole_size = 0;
};

// A source of batches, epoch by epoch. StartEpoch, Next and status are for
// one consumer thread.
class Loader {
 public:
  // The loader that reads and transforms images on worker threads: over
  // the images `indices` of `source`, each index in [0, source->size()).
  // Fails on options out of range or an index outside the source. Starts
  // its threads, which wait for StartEpoch. (DeviceLoader, device_loader.h,
  // is the other: images resident on a device, augmented there.)
  static absl::StatusOr<std::unique_ptr<Loader>> Create(std::shared_ptr<const ImageSource> source,
                                                        std::vector<int64_t> indices,
                                                        std::shared_ptr<const Transform> transform,
                                                        const LoaderOptions& options);

  // Stops the threads, if any, also in the middle of an epoch.
  virtual ~Loader() = default;

  virtual int64_t batches_per_epoch() const = 0;

  // Starts epoch `epoch`, dropping what is left of the current one.
  virtual void StartEpoch(int64_t epoch) = 0;

  // The next batch of the epoch; nullopt at its end, before the first
  // StartEpoch, and after an error, which status() then reports.
  virtual std::optional<Batch> Next() = 0;

  // OK, or the error that ended the epoch early: an image that could not be
  // read or transformed, named by its index in the source (and its file,
  // where it has one).
  virtual absl::Status status() const = 0;
};

// What every loader shares, so that all give the same batches:

// An error unless `options` are in range and every index is in `source`.
absl::Status CheckLoaderArguments(const ImageSource& source, const std::vector<int64_t>& indices,
                                  const LoaderOptions& options);

// Batches in an epoch of `images` images.
int64_t BatchesPerEpoch(int64_t images, const LoaderOptions& options);

// The order in which epoch `epoch` visits `indices`: a shuffle keyed by
// (seed, epoch), or as given without options.shuffle.
std::vector<int64_t> EpochOrder(const std::vector<int64_t>& indices, const LoaderOptions& options,
                                int64_t epoch);

// Batch `batch` of an epoch of `images` images: this shard's positions
// [begin, end) in the epoch's order, and the whole batch's size.
struct ShardRange {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t whole = 0;
};
ShardRange ShardOfBatch(int64_t batch, int64_t images, const LoaderOptions& options);

// The random stream of the augmentation of image `index` in epoch `epoch`.
Random AugmentationRandom(const LoaderOptions& options, int64_t epoch, int64_t index);

}  // namespace mdenas

#endif  // MDENAS_DATA_LOADER_H_
