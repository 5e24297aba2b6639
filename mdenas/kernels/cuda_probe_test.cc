#include "mdenas/kernels/cuda_probe.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(CudaProbeTest, AxpyOnTheDeviceMatchesTheHost) {
  std::string why_not;
  if (!CudaDeviceAvailable(&why_not)) {
    GTEST_SKIP() << "no CUDA device to run on: " << why_not;
  }
  std::vector<float> x(1000), y(1000), expected(1000);
  for (int i = 0; i < 1000; ++i) {
    x[i] = 0.5f * i;
    y[i] = 1.0f - i;
    expected[i] = y[i] + 3.0f * x[i];
  }
  ASSERT_EQ(CudaAxpy(3.0f, x, &y), "");
  for (int i = 0; i < 1000; ++i) EXPECT_FLOAT_EQ(y[i], expected[i]) << i;
}

}  // namespace
}  // namespace mdenas
