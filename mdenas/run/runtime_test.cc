#include "mdenas/run/runtime.h"

#include <torch/cuda.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

google::protobuf::RepeatedPtrField<EpochRecord> TwoEpochs() {
  google::protobuf::RepeatedPtrField<EpochRecord> records;
  for (int epoch : {1, 2}) {
    EpochRecord* record = records.Add();
    record->set_epoch(epoch);
    record->set_learning_rate(0.025);
    record->set_train_loss(2.5 - epoch);
    record->set_train_top1(10 * epoch);
    record->set_valid_top1(11 * epoch);
    record->set_images_per_second(epoch == 1 ? 100 : 300);
    record->set_seconds(3);
  }
  return records;
}

TEST(RunSupportTest, EpochsCsvWithAndWithoutPaths) {
  EXPECT_EQ(EpochsCsv(TwoEpochs(), nullptr),
            "epoch,learning_rate,train_loss,train_top1,valid_top1,"
            "images_per_second,seconds\n"
            "1,0.025,1.5,10.0000,11.0000,100.0,3.00\n"
            "2,0.025,0.5,20.0000,22.0000,300.0,3.00\n");
  const std::string with_paths = EpochsCsv(
      TwoEpochs(), [](const EpochRecord& r) { return "p" + std::to_string(r.epoch()); });
  EXPECT_THAT(with_paths, HasSubstr("epoch,sampled_path,learning_rate"));
  EXPECT_THAT(with_paths, HasSubstr("\n2,p2,0.025,"));
}

// 600 images at 100/s and at 300/s: 1200 images in 8 s.
TEST(RunSupportTest, MeanImagesPerSecondWeighsByTime) {
  EXPECT_DOUBLE_EQ(MeanImagesPerSecond(TwoEpochs(), 600), 150.0);
  EXPECT_EQ(MeanImagesPerSecond({}, 600), 0.0);
}

TEST(RunSupportTest, RuntimeSetsThreadsAndRefusesMissingDevices) {
  RuntimeSpec runtime;
  runtime.set_threads(1);
  const absl::StatusOr<Runtime> cpu = SetUpRuntime(runtime);
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->description, "cpu (1 threads)");
  EXPECT_GT(PeakResidentBytes(), 0);
  runtime.set_device("cuda:0");
  const absl::StatusOr<Runtime> cuda = SetUpRuntime(runtime);
  EXPECT_EQ(cuda.ok(), torch::cuda::is_available());
  if (!cuda.ok()) {
    EXPECT_THAT(std::string(cuda.status().message()),
                HasSubstr("sees no CUDA device"));
  }
  runtime.set_device("cuda:99");
  EXPECT_THAT(std::string(SetUpRuntime(runtime).status().message()),
              HasSubstr("runtime.device is 'cuda:99', but this libtorch sees"));
}

TEST(RunSupportTest, GpuDescriptionNamesTheGpuOrSaysWhyNot) {
  EXPECT_THAT(GpuDescription(99), StartsWith("unknown GPU: "));
  if (torch::cuda::is_available()) {
    EXPECT_THAT(GpuDescription(0), Not(StartsWith("unknown")));
  }
}

}  // namespace
}  // namespace mdenas
