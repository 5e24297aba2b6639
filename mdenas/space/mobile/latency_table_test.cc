#include "mdenas/space/mobile/latency_table.h"

#include <torch/torch.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/space/mobile/mobile_architecture.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

// A table measured on small images with a clock that runs each part once,
// counts it and gives it a made-up time (0.5 to 6.5 ms).
MobileLatencyTable Measured(int* passes) {
  NetworkInputs inputs;
  inputs.height = inputs.width = 16;
  return MeasureMobileLatencyTable(CPU, inputs, 2, torch::kCPU,
                                   [passes](const std::function<void()>& pass) {
                                     ++*passes;
                                     pass();
                                     return 0.5 + *passes % 7;
                                   });
}

TEST(MobileLatencyTableTest, MeasuresEveryChoiceOfEverySlotAndTheFixedRest) {
  int passes = 0;
  const MobileLatencyTable table = Measured(&passes);
  ASSERT_EQ(table.block_ms.size(), 20u);
  // 20 slots x 9 choices, the first conv and the head.
  EXPECT_EQ(passes, 20 * 9 + 2);
  EXPECT_EQ(table.batch, 2);
  EXPECT_EQ(table.image, 16);
  std::vector<int> path(20, 4);
  double sum = table.fixed_ms;
  for (int s = 0; s < 20; ++s) sum += table.block_ms[s][4];
  EXPECT_DOUBLE_EQ(table.Predict(path), sum);
}

TEST(MobileLatencyTableTest, WrittenAndReadBack) {
  int passes = 0;
  MobileLatencyTable table = Measured(&passes);
  table.device = "cpu (1 threads)";
  table.protocol = "5 warm-up passes, median of 20";
  const absl::StatusOr<MobileLatencyTable> read =
      ParseMobileLatencyTable(FormatMobileLatencyTable(table), "t.csv");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->skeleton, CPU);
  EXPECT_EQ(read->device, table.device);
  EXPECT_EQ(read->protocol, table.protocol);
  EXPECT_EQ(read->block_ms, table.block_ms);
  EXPECT_EQ(read->fixed_ms, table.fixed_ms);
}

TEST(MobileLatencyTableTest, DamagedTablesAreRefusedWithTheLine) {
  int passes = 0;
  MobileLatencyTable table = Measured(&passes);
  table.device = "cpu";
  const std::string good = FormatMobileLatencyTable(table);
  const auto error = [](const std::string& text) {
    return std::string(ParseMobileLatencyTable(text, "t.csv").status().message());
  };
  // The last line (slot 20, k7_e6) cut off.
  EXPECT_THAT(error(good.substr(0, good.rfind("20,k7_e6"))),
              HasSubstr("t.csv: no time for slot 20 k7_e6"));
  EXPECT_THAT(error(absl::StrReplaceAll(good, {{"3,k5_e3,", "3,k5_e3,-"}})),
              HasSubstr("is not a positive number of milliseconds"));
  EXPECT_THAT(error(absl::StrReplaceAll(good, {{"3,k5_e3,", "3,k4_e3,"}})),
              HasSubstr("unknown block 'k4_e3'"));
  EXPECT_THAT(error(good + "5,k3_e1,1\n"), HasSubstr("slot 5 k3_e1 again (first on line"));
  EXPECT_THAT(error(good + "21,k3_e1,1\n"), HasSubstr("slot '21' is not 1..20 or 'fixed'"));
  EXPECT_THAT(error("speed,fast\n" + good), HasSubstr("t.csv:1: 'speed' is no setting"));
  EXPECT_THAT(error(absl::StrReplaceAll(good, {{"skeleton,cpu", "skeleton,tpu"}})),
              HasSubstr("t.csv:1: skeleton 'tpu' is neither gpu nor cpu"));
  EXPECT_THAT(error(absl::StrReplaceAll(good, {{"batch,2", "batch,0"}})),
              HasSubstr("batch '0' is not a positive count"));
  EXPECT_THAT(error(""), HasSubstr("t.csv: no 'skeleton' setting"));
}

}  // namespace
}  // namespace mdenas
