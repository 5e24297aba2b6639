#include "mdenas/tensorboard/crc32c.h"

#include <string>

#include "gtest/gtest.h"

namespace mdenas::tensorboard {
namespace {

// Expected values from RFC 3720 (iSCSI) B.4 and python3-crc32c.
TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0x00000000u);
  EXPECT_EQ(Crc32c("a"), 0xC1D04330u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
}

TEST(Crc32cTest, MaskedAsTensorFlowRecordsStoreIt) {
  EXPECT_EQ(MaskedCrc32c(""), 0xA282EAD8u);
  EXPECT_EQ(MaskedCrc32c("123456789"), 0xC78AB0E5u);
  EXPECT_EQ(MaskedCrc32c(std::string(32, '\0')), 0x0FD7FFFAu);
}

}  // namespace
}  // namespace mdenas::tensorboard
