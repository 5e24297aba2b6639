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

// Several processes on a machine train on one GPU each, by their place
// there; a device with an index would put them all on one.
TEST(RuntimeTest, ProcessesOnOneMachineTakeAGpuEach) {
  RuntimeSpec runtime;
  runtime.set_threads(1);
  runtime.set_device("cuda:0");
  EXPECT_THAT(std::string(SetUpRuntime(runtime, 2, 1).status().message()),
              HasSubstr("runtime.device is 'cuda:0', one GPU for the 2 processes on this machine: "
                        "say \"cuda\""));
  runtime.set_device("cuda");
  const int devices = static_cast<int>(torch::cuda::device_count());
  const absl::StatusOr<Runtime> second = SetUpRuntime(runtime, 2, 1);
  if (devices >= 2) {
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(second->device, c10::Device("cuda:1"));
  } else {
    EXPECT_THAT(std::string(second.status().message()),
                HasSubstr("runtime.device is 'cuda:1', but this libtorch sees"));
  }
  runtime.set_device("cpu");
  const absl::StatusOr<Runtime> cpu = SetUpRuntime(runtime, 2, 1);
  ASSERT_TRUE(cpu.ok());
  EXPECT_TRUE(cpu->device.is_cpu());
}

TEST(RuntimeTest, GpuDescriptionNamesTheGpuOrSaysWhyNot) {
  EXPECT_THAT(GpuDescription(99), StartsWith("unknown GPU: "));
  if (torch::cuda::is_available()) {
    EXPECT_THAT(GpuDescription(0), Not(StartsWith("unknown")));
  }
}

}  // namespace
}  // namespace mdenas
