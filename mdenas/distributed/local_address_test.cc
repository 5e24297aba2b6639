#include "mdenas/distributed/local_address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(LocalAddressTest, LoopbackIsReachedFromLoopback) {
  absl::StatusOr<std::string> address = LocalAddressTowards("127.0.0.1", 29500);
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(*address, "127.0.0.1");
}

TEST(LocalAddressTest, AnUnresolvableHostIsNamed) {
  absl::StatusOr<std::string> address = LocalAddressTowards("no-such-host.invalid", 29500);
  ASSERT_FALSE(address.ok());
  EXPECT_THAT(address.status().message(), ::testing::HasSubstr("no-such-host.invalid"));
}

}  // namespace
}  // namespace mdenas
