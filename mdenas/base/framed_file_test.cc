#include "mdenas/base/framed_file.h"

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

std::string Path(const std::string& name) {
  return JoinPath(std::getenv("TEST_TMPDIR"), name);
}

std::string ErrorOf(const std::string& path) {
  return std::string(ReadFramedFile(path, "TESTMAGC").status().message());
}

TEST(FramedFileTest, RoundTrips) {
  const std::string payload("\0\1binary payload\xff", 18);
  ASSERT_TRUE(WriteFramedFile(Path("ok"), "TESTMAGC", payload).ok());
  EXPECT_EQ(*ReadFramedFile(Path("ok"), "TESTMAGC"), payload);
  ASSERT_TRUE(WriteFramedFile(Path("empty"), "TESTMAGC", "").ok());
  EXPECT_EQ(*ReadFramedFile(Path("empty"), "TESTMAGC"), "");
}

TEST(FramedFileTest, DetectsTruncationPaddingCorruptionAndForeignFiles) {
  ASSERT_TRUE(WriteFramedFile(Path("good"), "TESTMAGC", "0123456789").ok());
  const std::string good = *ReadFile(Path("good"));

  ASSERT_TRUE(WriteFileAtomically(Path("truncated"), good.substr(0, good.size() - 3)).ok());
  EXPECT_THAT(ErrorOf(Path("truncated")),
              HasSubstr("truncated: the header announces 10 bytes of payload, "
                        "the file holds 7"));

  ASSERT_TRUE(WriteFileAtomically(Path("padded"), good + "xx").ok());
  EXPECT_THAT(ErrorOf(Path("padded")), HasSubstr("has trailing bytes"));

  std::string flipped = good;
  flipped.back() ^= 1;
  ASSERT_TRUE(WriteFileAtomically(Path("flipped"), flipped).ok());
  EXPECT_THAT(ErrorOf(Path("flipped")), HasSubstr("corrupted"));

  ASSERT_TRUE(WriteFileAtomically(Path("foreign"), "random bytes, not a checkpoint").ok());
  EXPECT_THAT(ErrorOf(Path("foreign")), HasSubstr("not a TESTMAGC file (wrong magic)"));

  ASSERT_TRUE(WriteFileAtomically(Path("tiny"), "TEST").ok());
  EXPECT_THAT(ErrorOf(Path("tiny")), HasSubstr("too short for its header"));

  EXPECT_THAT(ErrorOf(Path("missing")), HasSubstr(Path("missing")));
}

}  // namespace
}  // namespace mdenas
