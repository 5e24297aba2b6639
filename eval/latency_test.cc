#include "eval/latency.h"

#include <torch/torch.h>

#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "mdenas/space/spaces.h"

namespace mdenas {
namespace {

// Calls that sleep known times: one warm-up call of 400 ms, then timed ones
// of 400, 0, 400, 50 and 0 ms, whose median is 50 ms. A sleep lasts at
// least as long as asked; the bound above leaves the short calls 100 ms to
// overrun by, and fails the mean (170 ms), a timed warm-up call (225 ms) and
// the middle call unsorted (400 ms).
TEST(LatencyTest, MedianOfTheTimedPassesAfterWarmUp) {
  const std::vector<int> sleep_ms = {400, 400, 0, 400, 50, 0};
  size_t calls = 0;
  const double median = MedianMilliseconds(
      [&] {
        std::this_thread::sleep_for(
            std::chrono::milliseconds(sleep_ms.at(calls++)));
      },
      1, 5);
  EXPECT_EQ(calls, sleep_ms.size());
  EXPECT_GE(median, 50.0);
  EXPECT_LT(median, 150.0);
}

TEST(LatencyTest, RecordsWhatItMeasured) {
  NetworkSpec spec;
  spec.mutable_darts()->set_layers(3);
  spec.mutable_darts()->set_init_channels(8);
  const std::unique_ptr<SearchSpace> space = *SearchSpaceOf(spec);
  const std::shared_ptr<Network> net =
      *space->MakeNetwork(*space->ParseArchitecture("DARTS_V2"), spec, NetworkInputs());
  net->train();
  const Latency latency =
      MeasureLatency(*net, 2, 3, 16, 16, torch::kCPU, "cpu (1 threads)", 1, 3);
  EXPECT_EQ(latency.batch_size(), 2);
  EXPECT_EQ(latency.repeats(), 3);
  EXPECT_EQ(latency.device(), "cpu (1 threads)");
  EXPECT_GT(latency.median_ms(), 0.0);
  EXPECT_TRUE(net->is_training());  // Restored.
}

}  // namespace
}  // namespace mdenas
