// The pool as libtorch's CPU allocator for every tensor: a process of its
// own, since the choice is global.

#include <c10/core/CPUAllocator.h>
#include <torch/torch.h>

#include "gtest/gtest.h"
#include "mdenas/kernels/caching_allocator.h"

namespace mdenas {
namespace {

TEST(CachingAllocatorGlobalTest, EveryTensorComesFromThePool) {
  // Memory from the allocator the pool replaces goes back to it, also when
  // freed through the pool (oneDNN frees through the current one).
  void* earlier = c10::GetCPUAllocator()->raw_allocate(100);
  UseCachingCpuAllocatorForAllTensors();
  c10::GetCPUAllocator()->raw_deallocate(earlier);

  const int64_t cached = CachedFreeBytes();
  { const at::Tensor t = torch::empty({1000}); }
  EXPECT_EQ(CachedFreeBytes(), cached + 4000);

  // A channels-last convolution runs on oneDNN, which allocates through
  // raw_allocate; its result, against the sum written out.
  torch::manual_seed(0);
  const at::Tensor input = torch::randn({2, 3, 5, 5}).contiguous(at::MemoryFormat::ChannelsLast);
  const at::Tensor weight = torch::randn({4, 3, 3, 3}).requires_grad_();
  const at::Tensor output = torch::conv2d(input, weight);
  output.sum().backward();
  const at::Tensor windows = input.unfold(2, 3, 1).unfold(3, 3, 1);  // [2, 3, 3, 3, 3, 3]
  const at::Tensor expected = torch::einsum("ncyxhw,ochw->noyx", {windows, weight.detach()});
  EXPECT_TRUE(torch::allclose(output, expected, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(weight.grad(),
                              windows.sum({0, 2, 3}).unsqueeze(0).expand({4, 3, 3, 3}), 1e-4,
                              1e-5));
}

}  // namespace
}  // namespace mdenas
