#include "data/loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "data/random.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {

absl::Status CheckLoaderArguments(const ImageSource& source, const std::vector<int64_t>& indices,
                                  const LoaderOptions& options) {
  if (options.batch_size < 1 || options.threads < 1 || options.prefetch_batches < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "loader: batch size (", options.batch_size, "), threads (", options.threads,
        ") and prefetch batches (", options.prefetch_batches, ") must be at least 1"));
  }
  if (options.shards < 1 || options.shard < 0 || options.shard >= options.shards) {
    return absl::InvalidArgumentError(absl::StrCat("loader: shard ", options.shard, " of ",
                                                   options.shards, " does not exist"));
  }
  for (const int64_t index : indices) {
    if (index < 0 || index >= source.size()) {
      return absl::OutOfRangeError(absl::StrCat("loader: index ", index, " is outside the ",
                                                source.size(), " images of the source"));
    }
  }
  return absl::OkStatus();
}

int64_t BatchesPerEpoch(int64_t images, const LoaderOptions& options) {
  return options.drop_last ? images / options.batch_size
                           : (images + options.batch_size - 1) / options.batch_size;
}

std::vector<int64_t> EpochOrder(const std::vector<int64_t>& indices, const LoaderOptions& options,
                                int64_t epoch) {
  std::vector<int64_t> order = indices;
  if (options.shuffle) {
    Random random(options.seed, RandomPurpose::kShuffle, {static_cast<uint64_t>(epoch)});
    Shuffle(&random, &order);
  }
  return order;
}

ShardRange ShardOfBatch(int64_t batch, int64_t images, const LoaderOptions& options) {
  const int64_t whole_begin = batch * options.batch_size;
  ShardRange range;
  range.whole = std::min<int64_t>(options.batch_size, images - whole_begin);
  // This shard's part of the whole batch, as tensor_split cuts it.
  const int64_t part = range.whole / options.shards;
  const int64_t larger = range.whole % options.shards;
  range.begin = whole_begin + options.shard * part + std::min<int64_t>(options.shard, larger);
  range.end = range.begin + part + (options.shard < larger ? 1 : 0);
  return range;
}

Random AugmentationRandom(const LoaderOptions& options, int64_t epoch, int64_t index) {
  return Random(options.seed, RandomPurpose::kAugment,
                {static_cast<uint64_t>(epoch), static_cast<uint64_t>(index)});
}

namespace {

// Worker threads read, transform and stack the images of a bounded window
// of batches ahead of the consumer.
class ThreadedLoader final : public Loader {
 public:
  ThreadedLoader(std::shared_ptr<const ImageSource> source, std::vector<int64_t> indices,
                 std::shared_ptr<const Transform> transform, const LoaderOptions& options);
  ~ThreadedLoader() override;

  int64_t batches_per_epoch() const override { return batches_per_epoch_; }
  void StartEpoch(int64_t epoch) override;
  std::optional<Batch> Next() override;
  absl::Status status() const override;

 private:
  // The visiting order of one epoch; shared by the workers, never changed.
  struct Epoch {
    int64_t number = 0;
    std::vector<int64_t> order;
  };

  void Work();
  // Both with mu_ held.
  bool HasWorkOrIsStopping() const;
  bool NextIsMade() const;
  absl::StatusOr<Batch> MakeBatch(const Epoch& epoch, int64_t batch, Image* scratch) const;

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

ThreadedLoader::ThreadedLoader(std::shared_ptr<const ImageSource> source,
                               std::vector<int64_t> indices,
                               std::shared_ptr<const Transform> transform,
                               const LoaderOptions& options)
    : source_(std::move(source)),
      indices_(std::move(indices)),
      transform_(std::move(transform)),
      options_(options),
      batches_per_epoch_(BatchesPerEpoch(static_cast<int64_t>(indices_.size()), options)) {
  for (int i = 0; i < options_.threads; ++i) {
    workers_.emplace_back([this] { Work(); });
  }
}

ThreadedLoader::~ThreadedLoader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_changed_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadedLoader::StartEpoch(int64_t epoch) {
  auto next = std::make_shared<Epoch>();
  next->number = epoch;
  next->order = EpochOrder(indices_, options_, epoch);
  {
    std::lock_guard<std::mutex> lock(mu_);
    epoch_ = std::move(next);
    ++generation_;
    next_to_make_ = 0;
    next_to_return_ = 0;
    made_.clear();
    status_ = absl::OkStatus();
  }
  work_changed_.notify_all();
}

std::optional<Batch> ThreadedLoader::Next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (epoch_ == nullptr || next_to_return_ >= batches_per_epoch_ ||
      !status_.ok()) {
    return std::nullopt;
  }
  batch_made_.wait(lock, [this] { return NextIsMade(); });
  absl::StatusOr<Batch> batch =
      std::move(made_.extract(next_to_return_).mapped());
  ++next_to_return_;
  if (!batch.ok()) status_ = batch.status();
  lock.unlock();
  // The window moved by one batch: room for one more worker.
  work_changed_.notify_one();
  if (!batch.ok()) return std::nullopt;
  return std::move(batch).value();
}

absl::Status ThreadedLoader::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

bool ThreadedLoader::HasWorkOrIsStopping() const {
  return stopping_ ||
         (epoch_ != nullptr && next_to_make_ < batches_per_epoch_ &&
          next_to_make_ < next_to_return_ + options_.prefetch_batches);
}

bool ThreadedLoader::NextIsMade() const { return made_.count(next_to_return_) != 0; }

void ThreadedLoader::Work() {
  Image scratch;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_changed_.wait(lock, [this] { return HasWorkOrIsStopping(); });
    if (stopping_) return;
    const std::shared_ptr<const Epoch> epoch = epoch_;
    const int64_t batch = next_to_make_++;
    const uint64_t generation = generation_;
    lock.unlock();
    absl::StatusOr<Batch> made = MakeBatch(*epoch, batch, &scratch);
    lock.lock();
    if (generation == generation_) {
      made_.emplace(batch, std::move(made));
      batch_made_.notify_one();
    }
  }
}

absl::StatusOr<Batch> ThreadedLoader::MakeBatch(const Epoch& epoch, int64_t batch,
                                        Image* scratch) const {
  const ShardRange range =
      ShardOfBatch(batch, static_cast<int64_t>(epoch.order.size()), options_);
  const int64_t begin = range.begin;
  const int64_t end = range.end;
  const ChwShape shape = transform_->output_shape();
  Batch out;
  out.images =
      torch::empty({end - begin, shape.channels, shape.height, shape.width},
                   torch::kFloat32);
  out.labels = torch::empty({end - begin}, torch::kInt64);
  out.whole_size = range.whole;
  float* images = out.images.data_ptr<float>();
  int64_t* labels = out.labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < end - begin; ++i) {
    const int64_t index = epoch.order[begin + i];
    absl::StatusOr<ImageView> image = source_->Read(index, scratch);
    absl::Status status = image.status();
    if (status.ok()) {
      Random random = AugmentationRandom(options_, epoch.number, index);
      status = transform_->Apply(*image, &random, images + i * shape.size());
    }
    if (!status.ok()) {
      return absl::Status(
          status.code(), absl::StrCat("image ", index, ": ", status.message()));
    }
    labels[i] = source_->labels()[index];
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Loader>> Loader::Create(
    std::shared_ptr<const ImageSource> source, std::vector<int64_t> indices,
    std::shared_ptr<const Transform> transform, const LoaderOptions& options) {
  if (source == nullptr || transform == nullptr) {
    return absl::InvalidArgumentError("loader needs a source and a transform");
  }
  MDENAS_RETURN_IF_ERROR(CheckLoaderArguments(*source, indices, options));
  return std::unique_ptr<Loader>(
      new ThreadedLoader(std::move(source), std::move(indices), std::move(transform), options));
}

}  // namespace mdenas
