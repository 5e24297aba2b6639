#include "mdenas/base/cpu_allocation_tracker.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(CpuAllocationTrackerTest, CountsLiveAndPeakBytes) {
  CpuAllocationTracker tracker;
  EXPECT_EQ(tracker.current_bytes(), 0);
  {
    torch::Tensor a = torch::empty({1000}, torch::kFloat32);
    EXPECT_GE(tracker.current_bytes(), 4000);
    torch::Tensor b = torch::empty({2000}, torch::kFloat32);
    EXPECT_GE(tracker.current_bytes(), 12000);
  }
  EXPECT_EQ(tracker.current_bytes(), 0);
  EXPECT_GE(tracker.peak_bytes(), 12000);
  EXPECT_LT(tracker.peak_bytes(), 12000 + 1024);
  tracker.ResetPeak();
  EXPECT_EQ(tracker.peak_bytes(), 0);
}

TEST(CpuAllocationTrackerTest, IgnoresMemoryAllocatedBeforeIt) {
  torch::Tensor before = torch::ones({1000});
  CpuAllocationTracker tracker;
  torch::Tensor during = torch::ones({10});
  before = torch::Tensor();
  EXPECT_GE(tracker.current_bytes(), 40);
  EXPECT_LT(tracker.current_bytes(), 1024);
}

TEST(CpuAllocationTrackerTest, TrackersNest) {
  CpuAllocationTracker outer;
  torch::Tensor a = torch::empty({1000});
  {
    CpuAllocationTracker inner;
    torch::Tensor b = torch::empty({500});
    EXPECT_GE(inner.current_bytes(), 2000);
    EXPECT_LT(inner.current_bytes(), 3000);
  }
  EXPECT_GE(outer.current_bytes(), 4000);
}

}  // namespace
}  // namespace mdenas
