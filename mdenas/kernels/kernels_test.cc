#include "mdenas/kernels/kernels.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(KernelsTest, NamesRoundTrip) {
  for (Kernels kernels : {Kernels::kAten, Kernels::kFast}) {
    const absl::StatusOr<Kernels> parsed = ParseKernels(KernelsName(kernels));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, kernels);
  }
}

TEST(KernelsTest, UnknownNameSaysWhatIsExpected) {
  const absl::StatusOr<Kernels> parsed = ParseKernels("cudnn");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()),
              testing::HasSubstr("expected aten or fast"));
}

}  // namespace
}  // namespace mdenas
