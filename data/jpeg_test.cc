#include "data/jpeg.h"

#include <string>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

// JPEG is lossy; at quality 100 a smooth pattern comes back within a few
// levels.
void ExpectCloseTo(const Image& decoded, const Image& original) {
  ASSERT_EQ(decoded.height, original.height);
  ASSERT_EQ(decoded.width, original.width);
  ASSERT_EQ(decoded.channels, original.channels);
  for (size_t i = 0; i < original.pixels.size(); ++i) {
    ASSERT_NEAR(decoded.pixels[i], original.pixels[i], 8) << "byte " << i;
  }
}

TEST(JpegTest, RoundTripsRgbAndGrey) {
  for (const int channels : {1, 3}) {
    const Image image = PatternImage(0, 16, 24, channels);
    const absl::StatusOr<std::string> jpeg = EncodeJpeg(image.view(), 100);
    ASSERT_TRUE(jpeg.ok()) << jpeg.status();
    const absl::StatusOr<Image> decoded = DecodeJpeg(*jpeg, "pattern.jpg");
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    ExpectCloseTo(*decoded, image);
  }
}

TEST(JpegTest, NotAJpegNamesTheSource) {
  const absl::StatusOr<Image> decoded =
      DecodeJpeg("this is not a JPEG file", "dir/cat/0001.jpg");
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(decoded.status()),
              HasSubstr("dir/cat/0001.jpg: cannot decode JPEG: Not a JPEG"));
}

TEST(JpegTest, CorruptJpegNamesTheSource) {
  std::string jpeg = *EncodeJpeg(PatternImage(1, 32, 32, 3).view(), 90);
  // Give the frame header (SOF0: marker, length, precision) a precision of 9.
  const size_t frame = jpeg.find("\xff\xc0");
  ASSERT_NE(frame, std::string::npos);
  jpeg[frame + 4] = 9;
  const absl::StatusOr<Image> decoded = DecodeJpeg(jpeg, "corrupt.jpg");
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(decoded.status()),
              HasSubstr("corrupt.jpg: cannot decode JPEG: Unsupported JPEG "
                        "data precision 9"));
}

TEST(JpegTest, TruncatedJpegIsAnErrorNotAGreyImage) {
  const std::string jpeg = *EncodeJpeg(PatternImage(2, 64, 64, 3).view(), 90);
  const absl::StatusOr<Image> decoded =
      DecodeJpeg(jpeg.substr(0, jpeg.size() / 2), "truncated.jpg");
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(decoded.status()),
              HasSubstr("truncated.jpg: cannot decode JPEG: Premature end of "
                        "JPEG file"));
}

TEST(JpegTest, EveryPrefixFailsCleanly) {
  const std::string jpeg = *EncodeJpeg(PatternImage(3, 8, 8, 3).view(), 75);
  for (size_t length = 0; length < jpeg.size() - 2; ++length) {
    EXPECT_FALSE(DecodeJpeg(jpeg.substr(0, length), "prefix.jpg").ok())
        << length << " bytes";
  }
}

TEST(JpegTest, EncodeRejectsOtherChannelCounts) {
  const Image image = PatternImage(0, 4, 4, 2);
  EXPECT_EQ(EncodeJpeg(image.view(), 90).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(JpegTest, DecodesTheSharedCifarJpegs) {
  const std::string path =
      SharedDataPath("cifar10-jpeg/train/airplane/0000.jpg");
  if (path.empty()) GTEST_SKIP() << kNoSharedData;
  const absl::StatusOr<std::string> data = ReadFile(path);
  ASSERT_TRUE(data.ok()) << data.status();
  const absl::StatusOr<Image> decoded = DecodeJpeg(*data, path);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->height, 32);
  EXPECT_EQ(decoded->width, 32);
  EXPECT_EQ(decoded->channels, 3);
}

}  // namespace
}  // namespace mdenas
