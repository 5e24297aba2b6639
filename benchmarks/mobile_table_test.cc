#include "benchmarks/mobile_table.h"

#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

// The paper's six rows, then the space's four networks with their sizes
// and a latency measured here (one pass of one image, to stay quick).
TEST(MobileTableTest, PaperRowsAndTheSpacesNetworksSizedAndTimed) {
  LatencyProtocol latency;
  latency.device_name = "cpu (test)";
  latency.batch = 1;
  latency.warmup = 0;
  latency.repeats = 1;
  const absl::StatusOr<Table> table = MobileTable(latency);
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->rows_size(), 10);
  EXPECT_EQ(table->rows(4).method(), "MdeNAS (GPU)");
  EXPECT_EQ(table->rows(4).top1(), 75.2);
  EXPECT_EQ(table->rows(4).latency_ms(), 6.2);
  const TableRow& mdenas_gpu = table->rows(8);
  EXPECT_EQ(mdenas_gpu.source(), "computed");
  EXPECT_EQ(mdenas_gpu.method(), "MdeNAS (GPU), MDENAS_GPU");
  EXPECT_NEAR(mdenas_gpu.params_millions(), 5.745984, 1e-9);
  EXPECT_NEAR(mdenas_gpu.macs_millions(), 765.096256, 1e-9);
  EXPECT_GT(mdenas_gpu.latency_ms(), 0);
  EXPECT_EQ(mdenas_gpu.latency_batch(), 1);
  const std::string markdown = MobileTableMarkdown(*table);
  EXPECT_THAT(markdown, HasSubstr("| MdeNAS (GPU) | 75.2 | - | - | 2 | 6.2 | GPU (unstated) |"));
  EXPECT_THAT(markdown, HasSubstr("| Proxyless (GPU), PROXYLESS_GPU | - | 7.12 | 465 | - |"));
}

}  // namespace
}  // namespace mdenas
