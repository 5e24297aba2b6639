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

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/image_source.h"
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

// StartEpoch, Next and status are for one consumer thread; the workers are
// the loader's own.
class Loader {
 public:
  // A loader over the images `indices` of `source`, each index in
  // [0, source->size()). Fails on options out of range or an index outside
  // the source. Starts its threads, which wait for StartEpoch.
  static absl::StatusOr<std::unique_ptr<Loader>> Create(
      std::shared_ptr<const ImageSource> source, std::vector<int64_t> indices,
      std::shared_ptr<const Transform> transform, const LoaderOptions& options);

  // Stops the threads, also in the middle of an epoch.
  ~Loader();

  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  int64_t batches_per_epoch() const { return batches_per_epoch_; }

  // Starts epoch `epoch`, dropping what is left of the current one.
  void StartEpoch(int64_t epoch);

  // The next batch of the epoch; nullopt at its end, before the first
  // StartEpoch, and after an error, which status() then reports.
  std::optional<Batch> Next();

  // OK, or the error that ended the epoch early: an image that could not be
  // read or transformed, named by its index in the source (and its file,
  // where it has one).
  absl::Status status() const;

 private:
  // The visiting order of one epoch; shared by the workers, never changed.
  struct Epoch {
    int64_t number = 0;
    std::vector<int64_t> order;
  };

  Loader(std::shared_ptr<const ImageSource> source,
         std::vector<int64_t> indices,
         std::shared_ptr<const Transform> transform,
         const LoaderOptions& options);

  void Work();
  // Both with mu_ held.
  bool HasWorkOrIsStopping() const;
  bool NextIsMade() const;
  absl::StatusOr<Batch> MakeBatch(const Epoch& epoch, int64_t batch,
                                  Image* scratch) const;

  const std::shared_ptr<const ImageSource> source_;
  const std::vector<int64_t> indices_;
  const std::shared_ptr<const Transform> transform_;
  const LoaderOptions options_;
  const int64_t batches_per_epoch_;

  // std::mutex rather than absl::Mutex: ThreadSanitizer sees the system
  // library's pthread calls, not the uninstrumented Debian Abseil's.
  mutable std::mutex mu_;
  // Workers wait for work: a new epoch, room in the window, or the end.
  std::condition_variable work_changed_;
  // Next waits for the batch it returns.
  std::condition_variable batch_made_;
  // Guarded by mu_.
  bool stopping_ = false;
  std::shared_ptr<const Epoch> epoch_;
  // Counts StartEpoch calls, so that workers drop batches of a past epoch.
  uint64_t generation_ = 0;
  int64_t next_to_make_ = 0;
  int64_t next_to_return_ = 0;
  std::map<int64_t, absl::StatusOr<Batch>> made_;
  absl::Status status_;

  std::vector<std::thread> workers_;
};

}  // namespace mdenas

#endif  // MDENAS_DATA_LOADER_H_
