#include "mdenas/base/resource_usage.h"

#include <cstring>
#include <memory>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

// Touching 64 MiB more than the process ever held raises the peak by about
// that much.
TEST(ResourceUsageTest, PeakResidentBytesFollowsTouchedMemory) {
  const int64_t before = PeakResidentBytes();
  EXPECT_GT(before, 0);
  constexpr size_t kBytes = size_t{64} << 20;
  const std::unique_ptr<char[]> block(new char[kBytes]);
  std::memset(block.get(), 1, kBytes);
  EXPECT_GE(PeakResidentBytes(), before + static_cast<int64_t>(kBytes) * 9 / 10);
  EXPECT_EQ(block[kBytes - 1], 1);
}

}  // namespace
}  // namespace mdenas
