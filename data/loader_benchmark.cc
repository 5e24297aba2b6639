// Throughput of the input pipeline in images per second (items_per_second):
//
//   bazel run //data:loader_benchmark -- --benchmark_format=json
//
// The CIFAR training pipeline (random crop with padding 4, flip, cutout 16,
// normalisation, batches of 64) through the Loader with 1 and 2 worker
// threads and, for the cost of the arithmetic alone, the transform on one
// thread; JPEG decoding of a CIFAR-sized and an ImageNet-sized image; and the
// ImageNet training transform. The images are synthetic and in memory, so
// nothing here reads ../shared.

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "data/cifar_transform.h"
#include "data/imagenet_transform.h"
#include "data/jpeg.h"
#include "data/loader.h"
#include "data/random.h"
#include "data/split.h"

namespace mdenas {
namespace {

// A smooth gradient with noise, which compresses like a photograph.
Image SyntheticImage(int height, int width, uint64_t seed) {
  Image image;
  image.height = height;
  image.width = width;
  image.channels = 3;
  Random random(seed, RandomPurpose::kAugment, {});
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        const int smooth = (y * 200 / height + x * 50 / width + c * 20) % 256;
        image.pixels.push_back(
            static_cast<uint8_t>(smooth + random.Uniform(32)));
      }
    }
  }
  return image;
}

// 10,000 CIFAR-sized images.
std::shared_ptr<const ImageSetSource> SyntheticCifar() {
  ImageSet set;
  set.height = 32;
  set.width = 32;
  set.channels = 3;
  set.class_names = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  Random random(1, RandomPurpose::kAugment, {});
  for (int i = 0; i < 10000; ++i) {
    for (int p = 0; p < 32 * 32 * 3; ++p) {
      set.pixels.push_back(static_cast<uint8_t>(random.Next()));
    }
    set.labels.push_back(i % 10);
  }
  return std::make_shared<ImageSetSource>(std::move(set));
}

CifarTransformOptions CifarTraining() {
  CifarTransformOptions options;
  options.cutout_length = 16;
  return options;
}

void BM_CifarTransform(benchmark::State& state) {
  const auto source = SyntheticCifar();
  const auto transform = *CifarTransform::Create(CifarTraining());
  std::vector<float> output(transform->output_shape().size());
  int64_t index = 0;
  for (auto _ : state) {
    Random random(1, RandomPurpose::kAugment,
                  {0, static_cast<uint64_t>(index)});
    const absl::Status status =
        transform->Apply(source->set().image(index), &random, output.data());
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(output.data());
    index = (index + 1) % source->size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CifarTransform);

// Each iteration takes one batch of 64; items are images.
void BM_CifarLoader(benchmark::State& state) {
  const auto source = SyntheticCifar();
  LoaderOptions options;
  options.batch_size = 64;
  options.threads = static_cast<int>(state.range(0));
  const std::unique_ptr<Loader> loader =
      *Loader::Create(source, FirstIndices(source->size()),
                      *CifarTransform::Create(CifarTraining()), options);
  int64_t epoch = 0;
  loader->StartEpoch(epoch);
  int64_t images = 0;
  for (auto _ : state) {
    std::optional<Batch> batch = loader->Next();
    if (!batch.has_value()) {
      loader->StartEpoch(++epoch);
      batch = loader->Next();
    }
    images += batch->images.size(0);
    benchmark::DoNotOptimize(batch->images.data_ptr());
  }
  state.SetItemsProcessed(images);
}
BENCHMARK(BM_CifarLoader)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();

// Decoding one JPEG of side x (3/4 side) pixels at quality 90.
void BM_DecodeJpeg(benchmark::State& state) {
  const int side = static_cast<int>(state.range(0));
  const std::string jpeg =
      *EncodeJpeg(SyntheticImage(side * 3 / 4, side, 1).view(), 90);
  for (auto _ : state) {
    absl::StatusOr<Image> image = DecodeJpeg(jpeg, "synthetic.jpg");
    benchmark::DoNotOptimize(image);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["jpeg_bytes"] = static_cast<double>(jpeg.size());
}
BENCHMARK(BM_DecodeJpeg)->ArgName("width")->Arg(32)->Arg(500);

void BM_ImageNetTrainTransform(benchmark::State& state) {
  const Image image = SyntheticImage(375, 500, 2);
  const auto transform = *ImageNetTransform::Create({});
  std::vector<float> output(transform->output_shape().size());
  uint64_t key = 0;
  for (auto _ : state) {
    Random random(1, RandomPurpose::kAugment, {key++});
    const absl::Status status =
        transform->Apply(image.view(), &random, output.data());
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(output.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ImageNetTrainTransform);

}  // namespace
}  // namespace mdenas

BENCHMARK_MAIN();
