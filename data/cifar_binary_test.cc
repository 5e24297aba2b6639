#include "data/cifar_binary.h"

#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr int kRecordBytes = 1 + 3072;

// CIFAR-10 files with two records each in the training batches (image ids
// 2b and 2b+1 in batch b, labels 2b and 2b+1) and three in the test batch.
std::string WriteCifar10(const std::string& name) {
  const std::string dir = MakeTestDir(name);
  for (int b = 0; b < 5; ++b) {
    std::string records;
    for (int id = 2 * b; id < 2 * b + 2; ++id) {
      records +=
          CifarRecord({static_cast<uint8_t>(id)}, PatternImage(id, 32, 32, 3));
    }
    WriteTestFile(JoinPath(dir, "data_batch_" + std::to_string(b + 1) + ".bin"),
                  records);
  }
  std::string test;
  for (int id = 0; id < 3; ++id) {
    test += CifarRecord({7}, PatternImage(100 + id, 32, 32, 3));
  }
  WriteTestFile(JoinPath(dir, "test_batch.bin"), test);
  return dir;
}

TEST(CifarBinaryTest, ReadsCifar10InFileOrderWithPixelsInHwcOrder) {
  const std::string dir = WriteCifar10("cifar10");
  const absl::StatusOr<ImageSet> train =
      ReadCifarBinary(CifarVariant::kCifar10, dir, DataSplit::kTrain);
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->height, 32);
  EXPECT_EQ(train->width, 32);
  EXPECT_EQ(train->channels, 3);
  EXPECT_THAT(train->labels, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  EXPECT_THAT(train->class_names,
              ElementsAre("airplane", "automobile", "bird", "cat", "deer",
                          "dog", "frog", "horse", "ship", "truck"));
  for (const int id : {0, 5, 9}) {
    const ImageView image = train->image(id);
    for (const auto& [y, x, c] : std::vector<std::tuple<int, int, int>>{
             {0, 0, 0}, {3, 17, 1}, {31, 30, 2}}) {
      EXPECT_EQ(image.pixels[(y * 32 + x) * 3 + c], PatternPixel(id, y, x, c))
          << "image " << id << " at " << y << "," << x << "," << c;
    }
  }
  const absl::StatusOr<ImageSet> test =
      ReadCifarBinary(CifarVariant::kCifar10, dir, DataSplit::kTest);
  ASSERT_TRUE(test.ok()) << test.status();
  EXPECT_THAT(test->labels, ElementsAre(7, 7, 7));
  EXPECT_EQ(test->image(2).pixels[(4 * 32 + 5) * 3 + 2],
            PatternPixel(102, 4, 5, 2));
}

TEST(CifarBinaryTest, TakesClassNamesFromBatchesMeta) {
  const std::string dir = WriteCifar10("cifar10_meta");
  std::string names;
  for (int i = 0; i < 12; ++i) names += "class" + std::to_string(i) + "\n";
  WriteTestFile(JoinPath(dir, "batches.meta.txt"), names + "\n\n");
  const absl::StatusOr<ImageSet> train =
      ReadCifarBinary(CifarVariant::kCifar10, dir, DataSplit::kTrain);
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_THAT(train->class_names, SizeIs(12));
  EXPECT_EQ(train->class_names[11], "class11");
}

TEST(CifarBinaryTest, ReadsTheFineLabelOfCifar100) {
  const std::string dir = MakeTestDir("cifar100");
  WriteTestFile(JoinPath(dir, "train.bin"),
                CifarRecord({3, 99}, PatternImage(0, 32, 32, 3)) +
                    CifarRecord({19, 42}, PatternImage(1, 32, 32, 3)));
  WriteTestFile(JoinPath(dir, "test.bin"),
                CifarRecord({0, 5}, PatternImage(2, 32, 32, 3)));
  EXPECT_TRUE(HasCifarBinaryFiles(CifarVariant::kCifar100, dir));
  EXPECT_FALSE(HasCifarBinaryFiles(CifarVariant::kCifar10, dir));
  const absl::StatusOr<ImageSet> train =
      ReadCifarBinary(CifarVariant::kCifar100, dir, DataSplit::kTrain);
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_THAT(train->labels, ElementsAre(99, 42));
  ASSERT_THAT(train->class_names, SizeIs(100));
  EXPECT_EQ(train->class_names[0], "apple");
  EXPECT_EQ(train->class_names[99], "worm");
  EXPECT_EQ(train->image(1).pixels[(31 * 32 + 2) * 3 + 1],
            PatternPixel(1, 31, 2, 1));
}

ImageSet EmptyCifarSet() { return PatternSet(32, 32, 3, {}, {"a", "b", "c"}); }

TEST(CifarBinaryTest, TruncatedFileNamesFileRecordAndOffset) {
  const std::string records = CifarRecord({0}, PatternImage(0, 32, 32, 3)) +
                              CifarRecord({1}, PatternImage(1, 32, 32, 3));
  ImageSet set = EmptyCifarSet();
  const absl::Status status =
      AppendCifarRecords(CifarVariant::kCifar10, records.substr(0, 5000),
                         "dir/data_batch_2.bin", &set);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(status),
              HasSubstr("dir/data_batch_2.bin: 5000 bytes is not a whole "
                        "number of 3073-byte records: record 1 (byte offset "
                        "3073) has only 1927 bytes"));
}

TEST(CifarBinaryTest, OversizedFileNamesFileRecordAndOffset) {
  const std::string records =
      CifarRecord({0}, PatternImage(0, 32, 32, 3)) + std::string(10, 'x');
  ImageSet set = EmptyCifarSet();
  const absl::Status status = AppendCifarRecords(
      CifarVariant::kCifar10, records, "dir/test_batch.bin", &set);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(status),
              HasSubstr("dir/test_batch.bin: 3083 bytes is not a whole number "
                        "of 3073-byte records: record 1 (byte offset 3073) "
                        "has only 10 bytes"));
}

TEST(CifarBinaryTest, LabelOutOfRangeNamesFileRecordAndOffset) {
  const std::string records = CifarRecord({2}, PatternImage(0, 32, 32, 3)) +
                              CifarRecord({3}, PatternImage(1, 32, 32, 3));
  ImageSet set = EmptyCifarSet();
  const absl::Status status = AppendCifarRecords(
      CifarVariant::kCifar10, records, "dir/data_batch_1.bin", &set);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(status),
              HasSubstr("dir/data_batch_1.bin: record 1 (byte offset 3073): "
                        "label 3 is out of range for 3 classes"));
}

TEST(CifarBinaryTest, Cifar100FineLabelOutOfRange) {
  const std::string dir = MakeTestDir("cifar100_bad_label");
  WriteTestFile(JoinPath(dir, "train.bin"),
                CifarRecord({0, 100}, PatternImage(0, 32, 32, 3)));
  const absl::StatusOr<ImageSet> train =
      ReadCifarBinary(CifarVariant::kCifar100, dir, DataSplit::kTrain);
  EXPECT_THAT(Message(train.status()),
              HasSubstr(JoinPath(dir, "train.bin") +
                        ": record 0 (byte offset 0): label 100 is out of "
                        "range for 100 classes"));
}

TEST(CifarBinaryTest, EmptyFileIsAnError) {
  ImageSet set = EmptyCifarSet();
  const absl::Status status =
      AppendCifarRecords(CifarVariant::kCifar10, "", "dir/x.bin", &set);
  EXPECT_THAT(Message(status), HasSubstr("dir/x.bin: file is empty"));
}

TEST(CifarBinaryTest, MissingBatchFileIsNamed) {
  const std::string dir = WriteCifar10("cifar10_missing");
  const std::string missing = JoinPath(dir, "data_batch_4.bin");
  ASSERT_EQ(std::remove(missing.c_str()), 0);
  const absl::StatusOr<ImageSet> train =
      ReadCifarBinary(CifarVariant::kCifar10, dir, DataSplit::kTrain);
  EXPECT_EQ(train.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(train.status()), HasSubstr(missing));
}

TEST(CifarBinaryTest, WritesTheOfficialLayoutThatReadsBack) {
  std::vector<int32_t> labels;
  for (int i = 0; i < 12; ++i) labels.push_back(i % 3);
  const ImageSetSource train(
      PatternSet(32, 32, 3, labels, {"cat", "dog", "emu"}));
  const ImageSetSource test(
      PatternSet(32, 32, 3, {2, 0}, {"cat", "dog", "emu"}));
  const std::string dir = JoinPath(MakeTestDir("written"), "out");
  ASSERT_TRUE(WriteCifar10Binary(train, test, dir).ok());

  // 12 images over 5 files: 2, 2, 3, 2, 3 (images [b*12/5, (b+1)*12/5)).
  const std::vector<int> expected_records = {2, 2, 3, 2, 3};
  for (int b = 0; b < 5; ++b) {
    const absl::StatusOr<std::string> file =
        ReadFile(JoinPath(dir, "data_batch_" + std::to_string(b + 1) + ".bin"));
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(file->size(), expected_records[b] * kRecordBytes);
  }
  // The first record of the third file is image 4, as the format says.
  const std::string third = *ReadFile(JoinPath(dir, "data_batch_3.bin"));
  EXPECT_EQ(third.substr(0, kRecordBytes),
            CifarRecord({1}, PatternImage(4, 32, 32, 3)));
  EXPECT_EQ(*ReadFile(JoinPath(dir, "batches.meta.txt")), "cat\ndog\nemu\n");

  const absl::StatusOr<ImageSet> read_train =
      ReadCifarBinary(CifarVariant::kCifar10, dir, DataSplit::kTrain);
  ASSERT_TRUE(read_train.ok()) << read_train.status();
  EXPECT_EQ(read_train->labels, train.set().labels);
  EXPECT_EQ(read_train->pixels, train.set().pixels);
  EXPECT_THAT(read_train->class_names, ElementsAre("cat", "dog", "emu"));
  const absl::StatusOr<ImageSet> read_test =
      ReadCifarBinary(CifarVariant::kCifar10, dir, DataSplit::kTest);
  ASSERT_TRUE(read_test.ok()) << read_test.status();
  EXPECT_EQ(read_test->pixels, test.set().pixels);
}

TEST(CifarBinaryTest, WriterRejectsImagesOfAnotherSize) {
  const ImageSetSource train(
      PatternSet(28, 28, 1, {0, 1, 0, 1, 0}, {"a", "b"}));
  const ImageSetSource test(PatternSet(28, 28, 1, {0}, {"a", "b"}));
  const absl::Status status =
      WriteCifar10Binary(train, test, JoinPath(MakeTestDir("gray"), "out"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(status), HasSubstr("train image 0 is 28x28x1"));
}

}  // namespace
}  // namespace mdenas
