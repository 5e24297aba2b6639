#include "data/image_folder.h"

#include <string>
#include <vector>

#include "data/jpeg.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ImageFolderTest, ListsClassesAndFilesInSortedOrder) {
  const std::string root = MakeTestDir("listed");
  WriteJpegClass(root, "zebra", 2, 8, 8, 3);
  WriteJpegClass(root, "ant", 3, 8, 8, 3);
  // Skipped: hidden folders and files, other extensions, files in the root.
  WriteJpegClass(root, ".cache", 1, 8, 8, 3);
  WriteTestFile(JoinPath(root, "ant/notes.txt"), "x");
  WriteTestFile(JoinPath(root, "ant/.0000.jpg"), "x");
  WriteTestFile(JoinPath(root, "README"), "x");
  // Upper-case extensions count, as in ImageNet.
  WriteTestFile(JoinPath(root, "zebra/big.JPEG"),
                *EncodeJpeg(PatternImage(0, 8, 8, 3).view(), 90));

  const absl::StatusOr<ImageFileList> list = ListImageFolder(root);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT(list->class_names, ElementsAre("ant", "zebra"));
  EXPECT_THAT(list->labels, ElementsAre(0, 0, 0, 1, 1, 1));
  EXPECT_THAT(list->paths,
              ElementsAre(root + "/ant/0000.jpg", root + "/ant/0001.jpg",
                          root + "/ant/0002.jpg", root + "/zebra/0000.jpg",
                          root + "/zebra/0001.jpg", root + "/zebra/big.JPEG"));
}

TEST(ImageFolderTest, MissingFolderIsNamed) {
  const std::string root = JoinPath(MakeTestDir("missing"), "train");
  const absl::StatusOr<ImageFileList> list = ListImageFolder(root);
  EXPECT_EQ(list.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(list.status()), HasSubstr(root + ": no such folder"));
}

TEST(ImageFolderTest, EmptyFolderIsNamed) {
  const std::string root = MakeTestDir("empty");
  const absl::StatusOr<ImageFileList> list = ListImageFolder(root);
  EXPECT_EQ(list.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(list.status()),
              HasSubstr(root + ": holds no class folders"));
}

TEST(ImageFolderTest, ClassFolderWithoutImagesIsNamed) {
  const std::string root = MakeTestDir("empty_class");
  WriteJpegClass(root, "bird", 1, 8, 8, 3);
  ASSERT_TRUE(MakeDirectories(JoinPath(root, "cat")).ok());
  const absl::StatusOr<ImageFileList> list = ListImageFolder(root);
  EXPECT_THAT(Message(list.status()),
              HasSubstr(root + "/cat: class folder holds no JPEG files"));
}

TEST(ImageFolderTest, DecodesEveryImageIntoMemory) {
  const std::string root = MakeTestDir("decoded");
  WriteJpegClass(root, "a", 2, 6, 10, 3, /*first_id=*/0);
  WriteJpegClass(root, "b", 1, 6, 10, 3, /*first_id=*/2);
  const absl::StatusOr<ImageSet> set = DecodeImageFiles(*ListImageFolder(root));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 3);
  EXPECT_EQ(set->height, 6);
  EXPECT_EQ(set->width, 10);
  EXPECT_EQ(set->channels, 3);
  EXPECT_THAT(set->labels, ElementsAre(0, 0, 1));
  EXPECT_THAT(set->class_names, ElementsAre("a", "b"));
  // Quality 100 keeps the smooth pattern within a few levels.
  for (int id = 0; id < 3; ++id) {
    EXPECT_NEAR(set->image(id).pixels[(5 * 10 + 9) * 3 + 1],
                PatternPixel(id, 5, 9, 1), 8);
  }
}

TEST(ImageFolderTest, ImageOfAnotherSizeIsNamed) {
  const std::string root = MakeTestDir("wrong_size");
  WriteJpegClass(root, "a", 2, 32, 32, 3);
  WriteTestFile(JoinPath(root, "a/0002.jpg"),
                *EncodeJpeg(PatternImage(0, 32, 31, 3).view(), 90));
  const absl::StatusOr<ImageSet> set = DecodeImageFiles(*ListImageFolder(root));
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(set.status()),
              HasSubstr(root +
                        "/a/0002.jpg: image is 32x31x3 (height x "
                        "width x channels), but " +
                        root +
                        "/a/0000.jpg and "
                        "the images before it are 32x32x3"));
}

TEST(ImageFolderTest, GreyImageInAnRgbSetIsNamed) {
  const std::string root = MakeTestDir("grey_in_rgb");
  WriteJpegClass(root, "a", 1, 32, 32, 3);
  WriteJpegClass(root, "b", 1, 32, 32, 1);
  const absl::StatusOr<ImageSet> set = DecodeImageFiles(*ListImageFolder(root));
  EXPECT_THAT(Message(set.status()),
              HasSubstr(root + "/b/0000.jpg: image is 32x32x1"));
}

TEST(ImageFolderTest, CorruptJpegIsNamed) {
  const std::string root = MakeTestDir("corrupt");
  WriteJpegClass(root, "a", 2, 8, 8, 3);
  WriteTestFile(JoinPath(root, "a/0001.jpg"), "GIF89a, not a JPEG");
  const absl::StatusOr<ImageSet> set = DecodeImageFiles(*ListImageFolder(root));
  EXPECT_THAT(Message(set.status()),
              HasSubstr(root + "/a/0001.jpg: cannot decode JPEG"));
}

TEST(ImageFolderTest, TruncatedJpegIsNamed) {
  const std::string root = MakeTestDir("truncated");
  WriteJpegClass(root, "a", 1, 32, 32, 3);
  const std::string jpeg = *EncodeJpeg(PatternImage(1, 32, 32, 3).view(), 90);
  WriteTestFile(JoinPath(root, "a/0001.jpg"),
                jpeg.substr(0, jpeg.size() - 100));
  const absl::StatusOr<ImageSet> set = DecodeImageFiles(*ListImageFolder(root));
  EXPECT_THAT(Message(set.status()),
              HasSubstr(root + "/a/0001.jpg: cannot decode JPEG: Premature "
                               "end of JPEG file"));
}

TEST(ImageFolderTest, FileSourceDecodesEachImageAtItsOwnSize) {
  const std::string root = MakeTestDir("lazy");
  WriteJpegClass(root, "a", 1, 20, 30, 3);
  WriteJpegClass(root, "b", 1, 7, 5, 1, /*first_id=*/1);
  const JpegFileSource source(*ListImageFolder(root));
  EXPECT_EQ(source.size(), 2);
  EXPECT_THAT(source.labels(), ElementsAre(0, 1));
  Image scratch;
  const absl::StatusOr<ImageView> first = source.Read(0, &scratch);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->height, 20);
  EXPECT_EQ(first->width, 30);
  EXPECT_EQ(first->channels, 3);
  const absl::StatusOr<ImageView> second = source.Read(1, &scratch);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->height, 7);
  EXPECT_EQ(second->channels, 1);
  EXPECT_NEAR(second->pixels[3 * 5 + 4], PatternPixel(1, 3, 4, 0), 8);
  EXPECT_EQ(source.Read(2, &scratch).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(ImageFolderTest, ListsTheSharedCifarJpegs) {
  const std::string root = SharedDataPath("cifar10-jpeg/train");
  if (root.empty()) GTEST_SKIP() << kNoSharedData;
  const absl::StatusOr<ImageFileList> list = ListImageFolder(root);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->paths.size(), 50000u);
  EXPECT_THAT(list->class_names,
              ElementsAre("airplane", "automobile", "bird", "cat", "deer",
                          "dog", "frog", "horse", "ship", "truck"));
  std::vector<int> counts(10);
  for (const int32_t label : list->labels) ++counts[label];
  EXPECT_THAT(counts, Each(5000));
}

}  // namespace
}  // namespace mdenas
