#include "data/device_loader.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "data/image_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

constexpr int kImages = 23;

// Images of height 8, width 6 (not square, so that rows and columns cannot
// be swapped unnoticed), every pixel a different value.
std::shared_ptr<const ImageSource> Images(int height = 8, int width = 6) {
  ImageSet set;
  set.height = height;
  set.width = width;
  set.channels = 3;
  set.class_names = {"a", "b", "c", "d"};
  for (int i = 0; i < kImages; ++i) {
    for (int p = 0; p < height * width * 3; ++p) {
      set.pixels.push_back(static_cast<uint8_t>((i * 37 + p * 11) % 251));
    }
    set.labels.push_back(i % 4);
  }
  return std::make_shared<ImageSetSource>(std::move(set));
}

CifarTransformOptions Augmenting() {
  CifarTransformOptions options;
  options.height = 8;
  options.width = 6;
  options.normalization = {{0.4f, 0.5f, 0.6f}, {0.2f, 0.25f, 0.3f}};
  options.padding = 2;
  options.horizontal_flip = true;
  options.cutout_length = 4;
  return options;
}

std::vector<int64_t> Indices() {
  std::vector<int64_t> indices;
  for (int i = kImages - 1; i >= 1; i -= 1) indices.push_back(i);  // image 0 left out
  return indices;
}

// Both loaders over the same images with the same transform and options
// give the same batches, bit for bit, in every epoch.
void ExpectSameBatches(const CifarTransformOptions& transform_options,
                       const LoaderOptions& options) {
  const std::shared_ptr<const ImageSource> source = Images();
  std::shared_ptr<const CifarTransform> transform = *CifarTransform::Create(transform_options);
  absl::StatusOr<std::unique_ptr<Loader>> threaded =
      Loader::Create(source, Indices(), transform, options);
  absl::StatusOr<std::unique_ptr<Loader>> resident =
      DeviceLoader::Create(*source, Indices(), transform, options, torch::kCPU);
  ASSERT_TRUE(threaded.ok()) << threaded.status();
  ASSERT_TRUE(resident.ok()) << resident.status();
  ASSERT_EQ((*resident)->batches_per_epoch(), (*threaded)->batches_per_epoch());
  for (const int64_t epoch : {0, 3}) {
    (*threaded)->StartEpoch(epoch);
    (*resident)->StartEpoch(epoch);
    int batches = 0;
    while (std::optional<Batch> expected = (*threaded)->Next()) {
      std::optional<Batch> batch = (*resident)->Next();
      ASSERT_TRUE(batch.has_value()) << "epoch " << epoch << " batch " << batches;
      EXPECT_EQ(batch->images.sizes(), expected->images.sizes());
      EXPECT_TRUE(torch::equal(batch->images, expected->images))
          << "epoch " << epoch << " batch " << batches << ": max difference "
          << (batch->images - expected->images).abs().max().item<float>();
      EXPECT_TRUE(torch::equal(batch->labels, expected->labels));
      EXPECT_EQ(batch->whole_size, expected->whole_size);
      ++batches;
    }
    EXPECT_FALSE((*resident)->Next().has_value());
    EXPECT_EQ(batches, (*threaded)->batches_per_epoch());
    EXPECT_TRUE((*threaded)->status().ok());
  }
}

TEST(DeviceLoaderTest, AugmentsAsTheThreadedLoaderDoes) {
  LoaderOptions options;
  options.batch_size = 5;
  options.seed = 7;
  ExpectSameBatches(Augmenting(), options);
}

TEST(DeviceLoaderTest, ShardsAsTheThreadedLoaderDoes) {
  LoaderOptions options;
  options.batch_size = 5;
  options.seed = 9;
  options.shards = 2;
  for (int shard = 0; shard < 2; ++shard) {
    options.shard = shard;
    ExpectSameBatches(Augmenting(), options);
  }
}

TEST(DeviceLoaderTest, EvaluatesAsTheThreadedLoaderDoes) {
  LoaderOptions options;
  options.batch_size = 4;
  options.shuffle = false;
  options.drop_last = true;
  ExpectSameBatches(EvalOptions(Augmenting()), options);
}

// Augmentation really happens: two epochs of the same images differ.
TEST(DeviceLoaderTest, EpochsDrawNewAugmentations) {
  std::shared_ptr<const CifarTransform> transform = *CifarTransform::Create(Augmenting());
  LoaderOptions options;
  options.batch_size = 22;
  options.shuffle = false;
  std::unique_ptr<Loader> loader =
      *DeviceLoader::Create(*Images(), Indices(), transform, options, torch::kCPU);
  loader->StartEpoch(0);
  const torch::Tensor first = loader->Next()->images;
  loader->StartEpoch(1);
  const torch::Tensor second = loader->Next()->images;
  EXPECT_FALSE(torch::equal(first, second));
}

TEST(DeviceLoaderTest, RejectsImagesOfAnotherShapeNamingThem) {
  std::shared_ptr<const CifarTransform> transform = *CifarTransform::Create(Augmenting());
  absl::StatusOr<std::unique_ptr<Loader>> loader =
      DeviceLoader::Create(*Images(8, 8), Indices(), transform, LoaderOptions(), torch::kCPU);
  ASSERT_FALSE(loader.ok());
  EXPECT_THAT(std::string(loader.status().message()),
              HasSubstr("image 22: image is 8x8x3 (height x width x channels); the CIFAR "
                        "transform takes 8x6x3"));
}

TEST(DeviceLoaderTest, RejectsIndicesOutsideTheSource) {
  std::shared_ptr<const CifarTransform> transform = *CifarTransform::Create(Augmenting());
  absl::StatusOr<std::unique_ptr<Loader>> loader =
      DeviceLoader::Create(*Images(), {3, kImages}, transform, LoaderOptions(), torch::kCPU);
  ASSERT_FALSE(loader.ok());
  EXPECT_THAT(std::string(loader.status().message()),
              HasSubstr("index 23 is outside the 23 images of the source"));
}

}  // namespace
}  // namespace mdenas
