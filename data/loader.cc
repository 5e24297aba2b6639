#include "data/loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "data/random.h"

namespace mdenas {

absl::StatusOr<std::unique_ptr<Loader>> Loader::Create(
    std::shared_ptr<const ImageSource> source, std::vector<int64_t> indices,
    std::shared_ptr<const Transform> transform, const LoaderOptions& options) {
  if (source == nullptr || transform == nullptr) {
    return absl::InvalidArgumentError("loader needs a source and a transform");
  }
  if (options.batch_size < 1 || options.threads < 1 ||
      options.prefetch_batches < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("loader: batch size (", options.batch_size, "), threads (",
                     options.threads, ") and prefetch batches (",
                     options.prefetch_batches, ") must be at least 1"));
  }
  if (options.shards < 1 || options.shard < 0 || options.shard >= options.shards) {
    return absl::InvalidArgumentError(absl::StrCat("loader: shard ", options.shard, " of ",
                                                   options.shards, " does not exist"));
  }
  for (const int64_t index : indices) {
    if (index < 0 || index >= source->size()) {
      return absl::OutOfRangeError(
          absl::StrCat("loader: index ", index, " is outside the ",
                       source->size(), " images of the source"));
    }
  }
  return std::unique_ptr<Loader>(new Loader(
      std::move(source), std::move(indices), std::move(transform), options));
}

Loader::Loader(std::shared_ptr<const ImageSource> source,
               std::vector<int64_t> indices,
               std::shared_ptr<const Transform> transform,
               const LoaderOptions& options)
    : source_(std::move(source)),
      indices_(std::move(indices)),
      transform_(std::move(transform)),
      options_(options),
      batches_per_epoch_(options.drop_last
                             ? static_cast<int64_t>(indices_.size()) /
                                   options.batch_size
                             : (static_cast<int64_t>(indices_.size()) +
                                options.batch_size - 1) /
                                   options.batch_size) {
  for (int i = 0; i < options_.threads; ++i) {
    workers_.emplace_back([this] { Work(); });
  }
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_changed_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void Loader::StartEpoch(int64_t epoch) {
  auto next = std::make_shared<Epoch>();
  next->number = epoch;
  next->order = indices_;
  if (options_.shuffle) {
    Random random(options_.seed, RandomPurpose::kShuffle,
                  {static_cast<uint64_t>(epoch)});
    Shuffle(&random, &next->order);
  }
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

std::optional<Batch> Loader::Next() {
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

absl::Status Loader::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

bool Loader::HasWorkOrIsStopping() const {
  return stopping_ ||
         (epoch_ != nullptr && next_to_make_ < batches_per_epoch_ &&
          next_to_make_ < next_to_return_ + options_.prefetch_batches);
}

bool Loader::NextIsMade() const { return made_.count(next_to_return_) != 0; }

void Loader::Work() {
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

absl::StatusOr<Batch> Loader::MakeBatch(const Epoch& epoch, int64_t batch,
                                        Image* scratch) const {
  const int64_t whole_begin = batch * options_.batch_size;
  const int64_t whole = std::min<int64_t>(options_.batch_size,
                                          static_cast<int64_t>(epoch.order.size()) - whole_begin);
  // This shard's part of the whole batch, as tensor_split cuts it.
  const int64_t part = whole / options_.shards;
  const int64_t larger = whole % options_.shards;
  const int64_t begin =
      whole_begin + options_.shard * part + std::min<int64_t>(options_.shard, larger);
  const int64_t end = begin + part + (options_.shard < larger ? 1 : 0);
  const ChwShape shape = transform_->output_shape();
  Batch out;
  out.images =
      torch::empty({end - begin, shape.channels, shape.height, shape.width},
                   torch::kFloat32);
  out.labels = torch::empty({end - begin}, torch::kInt64);
  out.whole_size = whole;
  float* images = out.images.data_ptr<float>();
  int64_t* labels = out.labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < end - begin; ++i) {
    const int64_t index = epoch.order[begin + i];
    absl::StatusOr<ImageView> image = source_->Read(index, scratch);
    absl::Status status = image.status();
    if (status.ok()) {
      Random random(
          options_.seed, RandomPurpose::kAugment,
          {static_cast<uint64_t>(epoch.number), static_cast<uint64_t>(index)});
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

}  // namespace mdenas
