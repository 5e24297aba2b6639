#include "mdenas/training/epoch_records.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

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

TEST(EpochRecordsTest, EpochsCsvWithAndWithoutPaths) {
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
TEST(EpochRecordsTest, MeanImagesPerSecondWeighsByTime) {
  EXPECT_DOUBLE_EQ(MeanImagesPerSecond(TwoEpochs(), 600), 150.0);
  EXPECT_EQ(MeanImagesPerSecond({}, 600), 0.0);
}

}  // namespace
}  // namespace mdenas
