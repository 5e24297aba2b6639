#include "eval/latency.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(LatencyTest, MedianOfTheTimedPassesAfterWarmUp) {
  int calls = 0;
  const double median = MedianMilliseconds([&] { ++calls; }, 3, 7);
  EXPECT_EQ(calls, 10);
  EXPECT_GE(median, 0.0);
}

TEST(LatencyTest, RecordsWhatItMeasured) {
  EvalNetwork net(*BuiltinGenotype("DARTS_V2"),
                  EvalNetworkOptions().layers(3).init_channels(8));
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
