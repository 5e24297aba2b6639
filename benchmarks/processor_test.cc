#include "benchmarks/processor.h"

#include "gtest/gtest.h"

namespace mdenas {
namespace {

// The head of a real /proc/cpuinfo, two processors of it.
constexpr char kTwoProcessors[] =
    "processor\t: 0\n"
    "vendor_id\t: AuthenticAMD\n"
    "cpu family\t: 25\n"
    "model\t\t: 17\n"
    "model name\t: AMD EPYC\n"
    "flags\t\t: fpu vme de pse avx512f\n"
    "\n"
    "processor\t: 1\n"
    "vendor_id\t: GenuineIntel\n"
    "cpu family\t: 6\n"
    "model\t\t: 143\n"
    "model name\t: Intel(R) Xeon(R) Platinum 8480+\n"
    "\n";

TEST(ProcessorTest, DescribesTheFirstProcessor) {
  EXPECT_EQ(DescribeProcessor(kTwoProcessors), "AuthenticAMD family 25 model 17 (AMD EPYC)");
}

TEST(ProcessorTest, LeavesOutWhatIsMissing) {
  EXPECT_EQ(DescribeProcessor("model name\t: Neoverse-N1\nmodel\t: \n"), "Neoverse-N1");
  EXPECT_EQ(DescribeProcessor("vendor_id : AuthenticAMD\ncpu family : 26\n"),
            "AuthenticAMD family 26");
  EXPECT_EQ(DescribeProcessor(""), "");
  EXPECT_EQ(DescribeProcessor("garbage without colons\n\n"), "");
}

TEST(ProcessorTest, ThisMachineHasOne) {
  // Linux, where the tests run, always has /proc/cpuinfo with a model name.
  EXPECT_FALSE(ThisProcessor().empty());
}

}  // namespace
}  // namespace mdenas
