#include "data/loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/cifar_transform.h"
#include "data/image_folder.h"
#include "data/split.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr int kImages = 37;

// Image i is 4x4 grey, every pixel i, with label i % 5.
std::shared_ptr<const ImageSource> NumberedImages() {
  ImageSet set;
  set.height = 4;
  set.width = 4;
  set.channels = 1;
  set.class_names = {"a", "b", "c", "d", "e"};
  for (int i = 0; i < kImages; ++i) {
    set.pixels.insert(set.pixels.end(), 16, static_cast<uint8_t>(i));
    set.labels.push_back(i % 5);
  }
  return std::make_shared<ImageSetSource>(std::move(set));
}

// Normalisation that leaves pixel / 255.
std::shared_ptr<const Transform> Identity() {
  CifarTransformOptions options = EvalOptions({});
  options.height = 4;
  options.width = 4;
  options.channels = 1;
  options.normalization = {{0.0f}, {1.0f}};
  return *CifarTransform::Create(options);
}

// Augmentation with every random choice (crop, flip, cutout) on 8x8x3
// pattern images.
std::shared_ptr<const ImageSource> PatternImages() {
  std::vector<int32_t> labels;
  for (int i = 0; i < kImages; ++i) labels.push_back(i % 3);
  return std::make_shared<ImageSetSource>(
      PatternSet(8, 8, 3, labels, {"x", "y", "z"}));
}

std::shared_ptr<const Transform> Augmentation() {
  CifarTransformOptions options;
  options.height = 8;
  options.width = 8;
  options.padding = 2;
  options.cutout_length = 4;
  return *CifarTransform::Create(options);
}

// The worker threads that run a CountingTransform, each counted from its
// first Apply until it has exited.
class WorkerCount {
 public:
  explicit WorkerCount(int workers) : workers_(workers) {}

  // Counts the calling thread in; returns once all the workers are in, so
  // that every one of them runs the transform.
  void Arrive() {
    std::unique_lock<std::mutex> lock(mu_);
    ++arrived_;
    ++alive_;
    all_arrived_.notify_all();
    all_arrived_.wait(lock, [this] { return arrived_ == workers_; });
  }

  // Counts an arrived thread out, as it exits.
  void Exit() {
    std::lock_guard<std::mutex> lock(mu_);
    --alive_;
  }

  void WaitForAll() {
    std::unique_lock<std::mutex> lock(mu_);
    all_arrived_.wait(lock, [this] { return arrived_ == workers_; });
  }

  // Arrived threads that have not exited.
  int alive() const {
    std::lock_guard<std::mutex> lock(mu_);
    return alive_;
  }

 private:
  const int workers_;
  mutable std::mutex mu_;
  std::condition_variable all_arrived_;
  int arrived_ = 0;
  int alive_ = 0;
};

// Identity(), which counts the threads that run it in a WorkerCount.
class CountingTransform : public Transform {
 public:
  explicit CountingTransform(std::shared_ptr<WorkerCount> workers)
      : identity_(Identity()), workers_(std::move(workers)) {}

  ChwShape output_shape() const override { return identity_->output_shape(); }

  absl::Status Apply(const ImageView& image, Random* random,
                     float* output) const override {
    // Destroyed as its thread exits, after the thread's last Apply.
    thread_local ThreadMark mark;
    if (mark.workers == nullptr) {
      mark.workers = workers_;
      workers_->Arrive();
    }
    return identity_->Apply(image, random, output);
  }

 private:
  struct ThreadMark {
    ~ThreadMark() {
      if (workers != nullptr) workers->Exit();
    }
    std::shared_ptr<WorkerCount> workers;
  };

  const std::shared_ptr<const Transform> identity_;
  const std::shared_ptr<WorkerCount> workers_;
};

std::unique_ptr<Loader> MakeLoader(std::shared_ptr<const ImageSource> source,
                                   std::shared_ptr<const Transform> transform,
                                   const LoaderOptions& options) {
  absl::StatusOr<std::unique_ptr<Loader>> loader =
      Loader::Create(source, FirstIndices(source->size()), transform, options);
  EXPECT_TRUE(loader.ok()) << loader.status();
  return std::move(loader).value();
}

// The source indices of the images of a batch of NumberedImages.
std::vector<int64_t> ImageNumbers(const Batch& batch) {
  std::vector<int64_t> numbers;
  for (int64_t i = 0; i < batch.images.size(0); ++i) {
    numbers.push_back(
        std::lround(batch.images[i][0][0][0].item<float>() * 255.0f));
  }
  return numbers;
}

std::vector<Batch> Epoch(Loader& loader, int64_t epoch) {
  loader.StartEpoch(epoch);
  std::vector<Batch> batches;
  while (std::optional<Batch> batch = loader.Next()) batches.push_back(*batch);
  EXPECT_TRUE(loader.status().ok()) << loader.status();
  return batches;
}

void ExpectIdentical(const std::vector<Batch>& a, const std::vector<Batch>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i].images, b[i].images)) << "batch " << i;
    EXPECT_TRUE(torch::equal(a[i].labels, b[i].labels)) << "batch " << i;
  }
}

TEST(LoaderTest, EachEpochVisitsEveryImageOnceInShapedBatches) {
  LoaderOptions options;
  options.batch_size = 8;
  const auto loader = MakeLoader(NumberedImages(), Identity(), options);
  EXPECT_EQ(loader->batches_per_epoch(), 5);
  const std::vector<Batch> batches = Epoch(*loader, 0);
  ASSERT_EQ(batches.size(), 5u);
  std::vector<int64_t> seen;
  for (const Batch& batch : batches) {
    EXPECT_EQ(batch.images.dtype(), torch::kFloat32);
    EXPECT_EQ(batch.labels.dtype(), torch::kInt64);
    EXPECT_EQ(batch.images.size(1), 1);
    EXPECT_EQ(batch.images.size(2), 4);
    EXPECT_EQ(batch.images.size(3), 4);
    const std::vector<int64_t> numbers = ImageNumbers(batch);
    for (int64_t i = 0; i < batch.labels.size(0); ++i) {
      EXPECT_EQ(batch.labels[i].item<int64_t>(), numbers[i] % 5);
    }
    seen.insert(seen.end(), numbers.begin(), numbers.end());
  }
  EXPECT_EQ(batches.back().images.size(0), 5);  // 37 = 4 * 8 + 5.
  EXPECT_NE(seen, FirstIndices(kImages));       // Shuffled...
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, FirstIndices(kImages));  // ...a permutation.
}

TEST(LoaderTest, DropLastLeavesOutThePartialBatch) {
  LoaderOptions options;
  options.batch_size = 8;
  options.drop_last = true;
  const auto loader = MakeLoader(NumberedImages(), Identity(), options);
  EXPECT_EQ(loader->batches_per_epoch(), 4);
  EXPECT_EQ(Epoch(*loader, 0).size(), 4u);
}

// The shards of every batch, put together in shard order, are the
// unsharded batch, cut as tensor_split cuts it: 8 images into 3 + 3 + 2,
// the last batch's 5 into 2 + 2 + 1.
TEST(LoaderTest, ShardsTogetherAreTheUnshardedBatches) {
  LoaderOptions options;
  options.batch_size = 8;
  const std::vector<Batch> whole = Epoch(*MakeLoader(NumberedImages(), Identity(), options), 2);
  options.shards = 3;
  std::vector<std::vector<Batch>> shards;
  for (int shard = 0; shard < 3; ++shard) {
    options.shard = shard;
    const auto loader = MakeLoader(NumberedImages(), Identity(), options);
    EXPECT_EQ(loader->batches_per_epoch(), 5);
    shards.push_back(Epoch(*loader, 2));
    ASSERT_EQ(shards.back().size(), whole.size());
  }
  for (size_t b = 0; b < whole.size(); ++b) {
    const std::vector<torch::Tensor> cut = whole[b].images.tensor_split(3);
    for (int shard = 0; shard < 3; ++shard) {
      EXPECT_TRUE(torch::equal(shards[shard][b].images, cut[shard]))
          << "batch " << b << " shard " << shard;
    }
  }
  EXPECT_EQ(shards[0][0].images.size(0), 3);
  EXPECT_EQ(shards[2][0].images.size(0), 2);
  EXPECT_EQ(shards[2][4].images.size(0), 1);
  EXPECT_EQ(shards[2][0].whole_size, 8);
  EXPECT_EQ(shards[2][4].whole_size, 5);
  EXPECT_EQ(whole[4].whole_size, 5);
}

TEST(LoaderTest, WithoutShuffleKeepsTheIndexOrder) {
  LoaderOptions options;
  options.batch_size = 10;
  options.shuffle = false;
  const std::vector<int64_t> indices = {36, 2, 17, 17, 5};
  const auto loader =
      *Loader::Create(NumberedImages(), indices, Identity(), options);
  const std::vector<Batch> batches = Epoch(*loader, 3);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_THAT(ImageNumbers(batches[0]), ElementsAreArray(indices));
}

TEST(LoaderTest, SameSeedSameBatchesOtherSeedOrEpochOtherBatches) {
  LoaderOptions options;
  options.batch_size = 5;
  const auto a = MakeLoader(PatternImages(), Augmentation(), options);
  const auto b = MakeLoader(PatternImages(), Augmentation(), options);
  options.seed = 2;
  const auto c = MakeLoader(PatternImages(), Augmentation(), options);
  const std::vector<Batch> epoch = Epoch(*a, 0);
  ExpectIdentical(epoch, Epoch(*b, 0));
  EXPECT_FALSE(torch::equal(epoch[0].images, Epoch(*c, 0)[0].images));
  EXPECT_FALSE(torch::equal(epoch[0].images, Epoch(*a, 1)[0].images));
}

TEST(LoaderTest, ThreadsDoNotChangeTheBatches) {
  LoaderOptions options;
  options.batch_size = 3;
  options.threads = 1;
  const auto one = MakeLoader(PatternImages(), Augmentation(), options);
  options.threads = 2;
  const auto two = MakeLoader(PatternImages(), Augmentation(), options);
  options.threads = 4;
  options.prefetch_batches = 1;
  const auto four = MakeLoader(PatternImages(), Augmentation(), options);
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    const std::vector<Batch> reference = Epoch(*one, epoch);
    ExpectIdentical(reference, Epoch(*two, epoch));
    ExpectIdentical(reference, Epoch(*four, epoch));
  }
}

TEST(LoaderTest, ResumingAtAnEpochGivesTheUninterruptedBatches) {
  LoaderOptions options;
  options.batch_size = 4;
  options.threads = 2;
  const auto uninterrupted =
      MakeLoader(PatternImages(), Augmentation(), options);
  std::vector<std::vector<Batch>> epochs;
  for (int64_t epoch = 0; epoch < 4; ++epoch) {
    epochs.push_back(Epoch(*uninterrupted, epoch));
  }
  const auto resumed = MakeLoader(PatternImages(), Augmentation(), options);
  ExpectIdentical(Epoch(*resumed, 2), epochs[2]);
  ExpectIdentical(Epoch(*resumed, 3), epochs[3]);
}

TEST(LoaderTest, StartEpochMidwayStartsAfresh) {
  LoaderOptions options;
  options.batch_size = 4;
  options.threads = 2;
  const auto loader = MakeLoader(PatternImages(), Augmentation(), options);
  const std::vector<Batch> full = Epoch(*loader, 1);
  loader->StartEpoch(1);
  ASSERT_TRUE(loader->Next().has_value());
  ExpectIdentical(Epoch(*loader, 1), full);
}

TEST(LoaderTest, DestroyedMidEpochStopsItsThreads) {
  LoaderOptions options;
  options.batch_size = 2;
  options.threads = 2;
  options.prefetch_batches = 2;
  for (int taken = 0; taken < 3; ++taken) {
    const auto workers = std::make_shared<WorkerCount>(options.threads);
    auto loader = MakeLoader(
        NumberedImages(), std::make_shared<CountingTransform>(workers),
        options);
    loader->StartEpoch(0);
    for (int i = 0; i < taken; ++i) ASSERT_TRUE(loader->Next().has_value());
    // Both workers are in the epoch: making a batch, or waiting for room
    // once the window is full.
    workers->WaitForAll();
    loader.reset();
    EXPECT_EQ(workers->alive(), 0) << "after " << taken << " batches";
  }
  // Destroyed before any epoch started, too.
  MakeLoader(PatternImages(), Augmentation(), options);
}

TEST(LoaderTest, NextBeforeStartEpochIsTheEnd) {
  const auto loader = MakeLoader(NumberedImages(), Identity(), {});
  EXPECT_FALSE(loader->Next().has_value());
  EXPECT_TRUE(loader->status().ok());
}

TEST(LoaderTest, AnImageTheTransformRejectsEndsTheEpochWithItsIndex) {
  LoaderOptions options;
  options.batch_size = 4;
  options.shuffle = false;
  // The transform takes 8x8x3; the numbered images are 4x4x1.
  const auto loader =
      *Loader::Create(NumberedImages(), {6, 7}, Augmentation(), options);
  loader->StartEpoch(0);
  EXPECT_FALSE(loader->Next().has_value());
  EXPECT_EQ(loader->status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(loader->status()), HasSubstr("image 6: image is 4x4x1"));
  EXPECT_FALSE(loader->Next().has_value());
  loader->StartEpoch(1);  // A new epoch clears the error.
  EXPECT_TRUE(loader->status().ok());
}

TEST(LoaderTest, ACorruptFileEndsTheEpochWithItsPath) {
  const std::string root = MakeTestDir("corrupt_tree");
  WriteJpegClass(root, "a", 3, 8, 8, 3);
  WriteTestFile(JoinPath(root, "a/0001.jpg"), "not a JPEG");
  LoaderOptions options;
  options.batch_size = 1;
  options.shuffle = false;
  const auto source = std::make_shared<JpegFileSource>(*ListImageFolder(root));
  const auto loader = MakeLoader(source, Augmentation(), options);
  loader->StartEpoch(0);
  EXPECT_TRUE(loader->Next().has_value());
  EXPECT_FALSE(loader->Next().has_value());
  EXPECT_THAT(Message(loader->status()),
              HasSubstr("image 1: " + root + "/a/0001.jpg: cannot decode"));
}

TEST(LoaderTest, CreateRejectsBadArguments) {
  LoaderOptions options;
  options.batch_size = 0;
  EXPECT_FALSE(Loader::Create(NumberedImages(), {0}, Identity(), options).ok());
  options = {};
  options.threads = 0;
  EXPECT_FALSE(Loader::Create(NumberedImages(), {0}, Identity(), options).ok());
  const absl::StatusOr<std::unique_ptr<Loader>> out_of_range =
      Loader::Create(NumberedImages(), {0, kImages}, Identity(), {});
  EXPECT_EQ(out_of_range.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_FALSE(Loader::Create(nullptr, {}, Identity(), {}).ok());
  options = {};
  options.shards = 2;
  options.shard = 2;
  EXPECT_THAT(std::string(Loader::Create(NumberedImages(), {0}, Identity(), options)
                              .status()
                              .message()),
              HasSubstr("shard 2 of 2 does not exist"));
}

}  // namespace
}  // namespace mdenas
