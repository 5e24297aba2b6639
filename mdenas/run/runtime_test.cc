#include "mdenas/run/runtime.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(RuntimeTest, RuntimeSetsThreadsAndRefusesMissingDevices) {
  RuntimeSpec runtime;
  runtime.set_threads(1);
  const absl::StatusOr<Runtime> cpu = SetUpRuntime(runtime);
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->description, "cpu (1 threads)");
  runtime.set_device("cuda:0");
  const absl::StatusOr<Runtime> cuda = SetUpRuntime(runtime);
  EXPECT_EQ(cuda.ok(), torch::cuda::is_available());
  if (!cuda.ok()) {
    EXPECT_THAT(std::string(cuda.status().message()), HasSubstr("sees no CUDA device"));
  }
  runtime.set_device("cuda:99");
  EXPECT_THAT(std::string(SetUpRuntime(runtime).status().message()),
              HasSubstr("runtime.device is 'cuda:99', but this libtorch sees"));
}

// Processes on one machine share its cores: each takes its part, at least
// one thread.
TEST(RuntimeTest, AutomaticThreadsAreTheCoresSharedAmongTheProcessesHere) {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  RuntimeSpec runtime;
  ASSERT_TRUE(SetUpRuntime(runtime, 1).ok());
  EXPECT_EQ(at::get_num_threads(), cores);
  ASSERT_TRUE(SetUpRuntime(runtime, cores).ok());
  EXPECT_EQ(at::get_num_threads(), 1);
  ASSERT_TRUE(SetUpRuntime(runtime, cores + 1).ok());
  EXPECT_EQ(at::get_num_threads(), 1);
  runtime.set_threads(3);
  ASSERT_TRUE(SetUpRuntime(runtime, cores).ok());
  EXPECT_EQ(at::get_num_threads(), 3);
}

TEST(RuntimeTest, GpuDescriptionNamesTheGpuOrSaysWhyNot) {
  EXPECT_THAT(GpuDescription(99), StartsWith("unknown GPU: "));
  if (torch::cuda::is_available()) {
    EXPECT_THAT(GpuDescription(0), Not(StartsWith("unknown")));
  }
}

}  // namespace
}  // namespace mdenas
