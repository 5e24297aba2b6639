#include "eval/latency.h"

#include <torch/torch.h>

#include "gtest/gtest.h"
#include "mdenas/space/spaces.h"

namespace mdenas {
namespace {

TEST(LatencyTest, MedianOfTheTimedPassesAfterWarmUp) {
  int calls = 0;
  const double median = MedianMilliseconds([&] { ++calls; }, 3, 7);
  EXPECT_EQ(calls, 10);
  EXPECT_GE(median, 0.0);
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
