#include "data/dataset.h"

#include <string>
#include <vector>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<int> ClassCounts(const ImageSource& source) {
  std::vector<int> counts(source.class_names().size());
  for (const int32_t label : source.labels()) ++counts[label];
  return counts;
}

void WriteCifar10(const std::string& dir) {
  ASSERT_TRUE(MakeDirectories(dir).ok());
  for (int b = 1; b <= 5; ++b) {
    WriteTestFile(
        JoinPath(dir, "data_batch_" + std::to_string(b) + ".bin"),
        CifarRecord({static_cast<uint8_t>(b)}, PatternImage(b, 32, 32, 3)));
  }
  WriteTestFile(JoinPath(dir, "test_batch.bin"),
                CifarRecord({0}, PatternImage(0, 32, 32, 3)));
}

TEST(DatasetTest, FindsCifar10InTheFolderOrItsReleaseFolder) {
  const std::string flat = MakeTestDir("cifar_flat");
  WriteCifar10(flat);
  const std::string nested = MakeTestDir("cifar_nested");
  WriteCifar10(JoinPath(nested, "cifar-10-batches-bin"));
  for (const std::string& path : {flat, nested}) {
    const absl::StatusOr<Dataset> data = OpenDataset(path);
    ASSERT_TRUE(data.ok()) << data.status();
    EXPECT_EQ(data->location.format, DataFormat::kCifar10Binary);
    EXPECT_EQ(data->train->size(), 5);
    EXPECT_EQ(data->test->size(), 1);
    EXPECT_THAT(data->train->labels(), ElementsAre(1, 2, 3, 4, 5));
  }
  EXPECT_EQ(OpenDataset(nested)->location.directory,
            JoinPath(nested, "cifar-10-batches-bin"));
}

TEST(DatasetTest, FindsCifar100InItsReleaseFolder) {
  const std::string root = MakeTestDir("cifar100");
  const std::string dir = JoinPath(root, "cifar-100-binary");
  ASSERT_TRUE(MakeDirectories(dir).ok());
  WriteTestFile(JoinPath(dir, "train.bin"),
                CifarRecord({1, 50}, PatternImage(0, 32, 32, 3)));
  WriteTestFile(JoinPath(dir, "test.bin"),
                CifarRecord({1, 51}, PatternImage(1, 32, 32, 3)));
  const absl::StatusOr<Dataset> data = OpenDataset(root);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->location.format, DataFormat::kCifar100Binary);
  EXPECT_THAT(data->test->labels(), ElementsAre(51));
}

TEST(DatasetTest, OpensJpegFoldersWithTestOrVal) {
  for (const std::string test_name : {"test", "val"}) {
    const std::string root = MakeTestDir("jpeg_" + test_name);
    WriteJpegClass(JoinPath(root, "train"), "cat", 3, 8, 8, 3);
    WriteJpegClass(JoinPath(root, "train"), "dog", 2, 8, 8, 3);
    WriteJpegClass(JoinPath(root, test_name), "cat", 1, 8, 8, 3);
    WriteJpegClass(JoinPath(root, test_name), "dog", 1, 8, 8, 3);
    for (const bool decode : {true, false}) {
      OpenOptions options;
      options.decode_jpeg_into_memory = decode;
      const absl::StatusOr<Dataset> data = OpenDataset(root, options);
      ASSERT_TRUE(data.ok()) << data.status();
      EXPECT_EQ(data->location.format, DataFormat::kJpegFolders);
      EXPECT_THAT(ClassCounts(*data->train), ElementsAre(3, 2));
      EXPECT_THAT(ClassCounts(*data->test), ElementsAre(1, 1));
      EXPECT_EQ(
          dynamic_cast<const ImageSetSource*>(data->train.get()) != nullptr,
          decode);
    }
  }
}

TEST(DatasetTest, TestClassesMustBeTheTrainingClasses) {
  const std::string root = MakeTestDir("jpeg_classes");
  WriteJpegClass(JoinPath(root, "train"), "cat", 1, 8, 8, 3);
  WriteJpegClass(JoinPath(root, "train"), "dog", 1, 8, 8, 3);
  WriteJpegClass(JoinPath(root, "test"), "cat", 1, 8, 8, 3);
  const absl::StatusOr<Dataset> data = OpenDataset(root);
  EXPECT_THAT(Message(data.status()),
              HasSubstr(root +
                        "/test: class folders (cat) differ from those "
                        "of " +
                        root + "/train (cat, dog)"));
}

TEST(DatasetTest, TestImagesMustHaveTheTrainingSize) {
  const std::string root = MakeTestDir("jpeg_sizes");
  WriteJpegClass(JoinPath(root, "train"), "cat", 1, 8, 8, 3);
  WriteJpegClass(JoinPath(root, "test"), "cat", 1, 9, 8, 3);
  const absl::StatusOr<Dataset> data = OpenDataset(root);
  EXPECT_THAT(Message(data.status()),
              HasSubstr(root + "/test/cat/0000.jpg: image is 9x8x3"));
}

TEST(DatasetTest, MissingTestFolderIsNamed) {
  const std::string root = MakeTestDir("jpeg_no_test");
  WriteJpegClass(JoinPath(root, "train"), "cat", 1, 8, 8, 3);
  EXPECT_THAT(Message(OpenDataset(root).status()),
              HasSubstr(root + ": has train/ but neither test/ nor val/"));
}

TEST(DatasetTest, MissingFolderIsNamed) {
  const std::string path = JoinPath(MakeTestDir("nothing"), "data");
  const absl::StatusOr<Dataset> data = OpenDataset(path);
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(data.status()), HasSubstr(path + ": no such folder"));
}

TEST(DatasetTest, FolderWithoutADataSetSaysWhatWasLookedFor) {
  const std::string path = MakeTestDir("no_data");
  WriteTestFile(JoinPath(path, "notes.txt"), "x");
  const absl::StatusOr<Dataset> data = OpenDataset(path);
  EXPECT_EQ(data.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(data.status()),
              HasSubstr(path + ": holds no data set: looked for CIFAR-10"));
}

TEST(DatasetTest, OpensFashionMnist) {
  const absl::StatusOr<Dataset> data =
      OpenDataset("/usr/share/datasets/fashion-mnist");
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->location.format, DataFormat::kIdx);
  EXPECT_THAT(ClassCounts(*data->train), Each(6000));
  EXPECT_THAT(ClassCounts(*data->test), Each(1000));
}

TEST(DatasetTest, OpensTheSharedCifarJpegs) {
  const std::string root = SharedDataPath("cifar10-jpeg");
  if (root.empty()) GTEST_SKIP() << kNoSharedData;
  const absl::StatusOr<Dataset> data = OpenDataset(root);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->location.format, DataFormat::kJpegFolders);
  EXPECT_THAT(ClassCounts(*data->train), Each(5000));
  EXPECT_THAT(ClassCounts(*data->test), Each(1000));
  const ImageSet& train =
      dynamic_cast<const ImageSetSource&>(*data->train).set();
  EXPECT_EQ(train.height, 32);
  EXPECT_EQ(train.width, 32);
  EXPECT_EQ(train.channels, 3);
  EXPECT_EQ(train.pixels.size(), 50000u * 32 * 32 * 3);
}

}  // namespace
}  // namespace mdenas
