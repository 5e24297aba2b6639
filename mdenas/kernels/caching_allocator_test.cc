#include "mdenas/kernels/caching_allocator.h"

#include <ATen/EmptyTensor.h>
#include <torch/torch.h>

#include "gtest/gtest.h"
#include "mdenas/base/cpu_allocation_tracker.h"

namespace mdenas {
namespace {

at::Tensor Empty(int64_t elements) {
  return at::detail::empty_generic({elements}, CachingCpuAllocator(),
                                   c10::DispatchKeySet(c10::DispatchKey::CPU), at::kFloat,
                                   c10::nullopt);
}

TEST(CachingAllocatorTest, AFreedBlockServesTheNextRequestOfItsSize) {
  const void* first;
  {
    const at::Tensor t = Empty(1000);
    first = t.data_ptr();
    EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 64, 0u);
  }
  EXPECT_GE(CachedFreeBytes(), 4000);
  const at::Tensor other_size = Empty(999);
  EXPECT_NE(other_size.data_ptr(), first);
  const at::Tensor same_size = Empty(1000);
  EXPECT_EQ(same_size.data_ptr(), first);
}

TEST(CachingAllocatorTest, KeepsNoMoreFreeBytesThanItEverUsedAtOnce) {
  for (int64_t elements = 1; elements < 100000; elements *= 3) Empty(elements);
  // Each block was the only one in use when freed.
  EXPECT_LE(CachedFreeBytes(), 4 * 59049 + 4 * 100000);
}

TEST(CachingAllocatorTest, ReportsToTheAllocationTracker) {
  CpuAllocationTracker tracker;
  {
    const at::Tensor t = Empty(2500);
    EXPECT_EQ(tracker.current_bytes(), 10000);
  }
  EXPECT_EQ(tracker.current_bytes(), 0);
  EXPECT_EQ(tracker.peak_bytes(), 10000);
}

TEST(CachingAllocatorTest, TensorsWorkAsAnyOther) {
  at::Tensor t = Empty(10);
  t.fill_(2);
  EXPECT_EQ((t * 3).sum().item<float>(), 60.0f);
}

}  // namespace
}  // namespace mdenas
