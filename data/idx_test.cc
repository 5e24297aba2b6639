#include "data/idx.h"

#include <string>
#include <vector>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Three 2x3 grey images with values 0..17 and labels 4, 0, 2.
void WriteIdxSet(const std::string& dir, const std::string& prefix,
                 bool gzipped) {
  std::vector<uint8_t> pixels;
  for (int i = 0; i < 18; ++i) pixels.push_back(static_cast<uint8_t>(i));
  const std::string suffix = gzipped ? ".gz" : "";
  const auto maybe_gzip = [&](const std::string& data) {
    return gzipped ? Gzip(data) : data;
  };
  WriteTestFile(JoinPath(dir, prefix + "-images-idx3-ubyte" + suffix),
                maybe_gzip(IdxFile({3, 2, 3}, pixels)));
  WriteTestFile(JoinPath(dir, prefix + "-labels-idx1-ubyte" + suffix),
                maybe_gzip(IdxFile({3}, {4, 0, 2})));
}

TEST(IdxTest, ParsesHeaderAndValues) {
  const absl::StatusOr<IdxArray> array =
      ParseIdx(IdxFile({2, 3}, {1, 2, 3, 4, 5, 6}), "a.idx");
  ASSERT_TRUE(array.ok()) << array.status();
  EXPECT_THAT(array->dims, ElementsAre(2, 3));
  EXPECT_THAT(array->values, ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST(IdxTest, ParsesGzippedFiles) {
  const absl::StatusOr<IdxArray> array =
      ParseIdx(Gzip(IdxFile({4}, {9, 8, 7, 6})), "a.idx.gz");
  ASSERT_TRUE(array.ok()) << array.status();
  EXPECT_THAT(array->values, ElementsAre(9, 8, 7, 6));
}

TEST(IdxTest, ReadsImagesAndLabelsPlainOrGzipped) {
  for (const bool gzipped : {false, true}) {
    const std::string dir = MakeTestDir(gzipped ? "idx_gzipped" : "idx_plain");
    WriteIdxSet(dir, "train", gzipped);
    EXPECT_TRUE(HasIdxFiles(dir));
    const absl::StatusOr<ImageSet> set = ReadIdx(dir, DataSplit::kTrain);
    ASSERT_TRUE(set.ok()) << set.status();
    EXPECT_EQ(set->height, 2);
    EXPECT_EQ(set->width, 3);
    EXPECT_EQ(set->channels, 1);
    EXPECT_THAT(set->labels, ElementsAre(4, 0, 2));
    EXPECT_THAT(set->class_names, ElementsAre("0", "1", "2", "3", "4"));
    // Image 1, row 1, column 2 is value 6 + 3 + 2.
    EXPECT_EQ(set->image(1).pixels[1 * 3 + 2], 11);
  }
}

TEST(IdxTest, HeaderThatDisagreesWithFileSizeNamesTheFile) {
  std::string file = IdxFile({3, 28, 28}, std::vector<uint8_t>(3 * 28 * 28));
  file.pop_back();
  const absl::StatusOr<IdxArray> array = ParseIdx(file, "dir/images.idx3");
  EXPECT_EQ(array.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(array.status()),
              HasSubstr("dir/images.idx3: IDX header says 3x28x28 values, "
                        "but the file holds 2351 bytes after its 16-byte "
                        "header"));
}

TEST(IdxTest, HugeDimensionsDoNotOverflow) {
  const absl::StatusOr<IdxArray> array = ParseIdx(
      IdxFile({0xffffffff, 0xffffffff, 0xffffffff}, {1, 2}), "huge.idx");
  EXPECT_THAT(Message(array.status()), HasSubstr("huge.idx: IDX header says"));
}

TEST(IdxTest, TruncatedHeaderNamesTheFile) {
  const absl::StatusOr<IdxArray> array =
      ParseIdx(IdxFile({3, 28, 28}, {}).substr(0, 9), "short.idx");
  EXPECT_THAT(Message(array.status()),
              HasSubstr("short.idx: IDX header with 3 dimensions needs 16 "
                        "bytes; the file has 9"));
}

TEST(IdxTest, RejectsOtherValueTypes) {
  std::string file = IdxFile({1}, {0, 0, 0, 0});
  file[2] = 0x0d;  // float
  const absl::StatusOr<IdxArray> array = ParseIdx(file, "float.idx");
  EXPECT_THAT(Message(array.status()),
              HasSubstr("float.idx: IDX value type 0x0d is not supported"));
}

TEST(IdxTest, TruncatedGzipNamesTheFile) {
  const std::string gzipped =
      Gzip(IdxFile({1000}, std::vector<uint8_t>(1000, 7)));
  const absl::StatusOr<IdxArray> array =
      ParseIdx(gzipped.substr(0, gzipped.size() / 2), "t.gz");
  EXPECT_THAT(Message(array.status()),
              HasSubstr("t.gz: gzip stream is truncated"));
}

TEST(IdxTest, CorruptGzipNamesTheFile) {
  std::string gzipped = Gzip(IdxFile({4}, {1, 2, 3, 4}));
  gzipped[12] = static_cast<char>(0xff);
  gzipped[13] = static_cast<char>(0xff);
  const absl::StatusOr<IdxArray> array = ParseIdx(gzipped, "c.gz");
  EXPECT_THAT(Message(array.status()), HasSubstr("c.gz: "));
  EXPECT_FALSE(array.ok());
}

TEST(IdxTest, LabelCountMustMatchImageCount) {
  const std::string dir = MakeTestDir("idx_count");
  WriteTestFile(JoinPath(dir, "train-images-idx3-ubyte"),
                IdxFile({2, 1, 1}, {0, 0}));
  WriteTestFile(JoinPath(dir, "train-labels-idx1-ubyte"),
                IdxFile({3}, {0, 0, 0}));
  const absl::StatusOr<ImageSet> set = ReadIdx(dir, DataSplit::kTrain);
  EXPECT_THAT(Message(set.status()),
              HasSubstr(JoinPath(dir, "train-labels-idx1-ubyte") +
                        ": has labels of shape 3 for the 2 images of"));
}

TEST(IdxTest, MissingFileSaysWhatWasLookedFor) {
  const std::string dir = MakeTestDir("idx_missing");
  const absl::StatusOr<ImageSet> set = ReadIdx(dir, DataSplit::kTest);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(set.status()),
              HasSubstr("has neither t10k-images-idx3-ubyte nor "
                        "t10k-images-idx3-ubyte.gz"));
}

TEST(IdxTest, ReadsFashionMnist) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  const absl::StatusOr<ImageSet> train = ReadIdx(dir, DataSplit::kTrain);
  ASSERT_TRUE(train.ok()) << train.status();
  EXPECT_EQ(train->size(), 60000);
  EXPECT_EQ(train->height, 28);
  EXPECT_EQ(train->width, 28);
  EXPECT_EQ(train->channels, 1);
  EXPECT_EQ(train->class_names.size(), 10u);
  // The first training image is an ankle boot (class 9), as in every copy.
  EXPECT_EQ(train->labels[0], 9);
  std::vector<int> counts(10);
  for (const int32_t label : train->labels) ++counts[label];
  EXPECT_THAT(counts, testing::Each(6000));
  const absl::StatusOr<ImageSet> test = ReadIdx(dir, DataSplit::kTest);
  ASSERT_TRUE(test.ok()) << test.status();
  EXPECT_EQ(test->size(), 10000);
}

}  // namespace
}  // namespace mdenas
