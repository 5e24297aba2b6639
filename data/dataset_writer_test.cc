#include "data/dataset_writer.h"

#include <string>

#include "data/image_source.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Dataset SmallCifar() {
  std::vector<int32_t> labels;
  for (int i = 0; i < 11; ++i) labels.push_back(i % 2);
  return {{DataFormat::kCifar10Binary, "memory"},
          std::make_shared<ImageSetSource>(
              PatternSet(32, 32, 3, labels, {"cat", "dog"})),
          std::make_shared<ImageSetSource>(
              PatternSet(32, 32, 3, {1, 1, 0}, {"cat", "dog"}))};
}

const ImageSet& SetOf(const ImageSource& source) {
  return dynamic_cast<const ImageSetSource&>(source).set();
}

TEST(DatasetWriterTest, FindsWritersByNameAndListsThemOtherwise) {
  ASSERT_TRUE(FindDatasetWriter("cifar-bin").ok());
  EXPECT_STREQ((*FindDatasetWriter("jpeg-folders"))->name, "jpeg-folders");
  EXPECT_THAT(
      Message(FindDatasetWriter("png").status()),
      HasSubstr("unknown output format \"png\"; the formats are cifar-bin, "
                "jpeg-folders"));
}

TEST(DatasetWriterTest, CifarBinReadsBackExactly) {
  const Dataset original = SmallCifar();
  const std::string dir = JoinPath(MakeTestDir("to_cifar_bin"), "out");
  ASSERT_TRUE((*FindDatasetWriter("cifar-bin"))->write(original, dir).ok());
  const absl::StatusOr<Dataset> read = OpenDataset(dir);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->location.format, DataFormat::kCifar10Binary);
  EXPECT_EQ(SetOf(*read->train).pixels, SetOf(*original.train).pixels);
  EXPECT_EQ(SetOf(*read->train).labels, SetOf(*original.train).labels);
  EXPECT_EQ(SetOf(*read->test).pixels, SetOf(*original.test).pixels);
  EXPECT_THAT(read->train->class_names(), ElementsAre("cat", "dog"));
}

TEST(DatasetWriterTest, JpegFoldersReadBackByClass) {
  const Dataset original = SmallCifar();
  const std::string dir = JoinPath(MakeTestDir("to_jpeg"), "out");
  ASSERT_TRUE((*FindDatasetWriter("jpeg-folders"))->write(original, dir).ok());
  EXPECT_TRUE(PathExists(JoinPath(dir, "train/dog/0004.jpg")));
  const absl::StatusOr<Dataset> read = OpenDataset(dir);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->location.format, DataFormat::kJpegFolders);
  EXPECT_THAT(read->train->class_names(), ElementsAre("cat", "dog"));
  // Six cats (images 0, 2, ..., 10), then five dogs, each in source order.
  EXPECT_THAT(read->train->labels(),
              ElementsAre(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1));
  EXPECT_THAT(read->test->labels(), ElementsAre(0, 1, 1));
  // The second dog is original image 3; JPEG keeps it within a few levels.
  const ImageView dog = SetOf(*read->train).image(7);
  EXPECT_NEAR(dog.pixels[(10 * 32 + 20) * 3 + 2], PatternPixel(3, 10, 20, 2),
              8);
}

TEST(DatasetWriterTest, JpegFoldersRejectClassNamesThatAreNoFolderNames) {
  Dataset data = SmallCifar();
  data.train = std::make_shared<ImageSetSource>(
      PatternSet(8, 8, 3, {0, 1}, {"cat", "../dog"}));
  const absl::Status status = (*FindDatasetWriter("jpeg-folders"))
                                  ->write(data, MakeTestDir("bad_names"));
  EXPECT_THAT(Message(status),
              HasSubstr("class name \"../dog\" cannot be the name of a class "
                        "folder"));
}

}  // namespace
}  // namespace mdenas
