#include "mdenas/base/heap_reuse.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

// Bytes of a block that glibc maps by default (its default threshold is
// 128 KiB) and the heap keeps after ReuseFreedHeapMemory().
constexpr size_t kBlock = 8 << 20;

// Bytes the process has mapped outside the heap.
size_t MappedBytes() { return mallinfo2().hblkhd; }

TEST(HeapReuseTest, LargeBlocksComeFromTheHeapAndStayThereWhenFreed) {
  ASSERT_TRUE(ReuseFreedHeapMemory().ok());
  if (kSanitizerAllocator) {
    GTEST_SKIP() << "a sanitizer's allocator replaces glibc's: its blocks are the sanitizer's";
  }
  const size_t mapped_before = MappedBytes();
  void* block = std::malloc(kBlock);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kBlock);
  EXPECT_EQ(MappedBytes(), mapped_before) << "the block was mapped, not taken from the heap";
  std::free(block);
  EXPECT_GE(mallinfo2().fordblks, kBlock) << "the freed block left the heap";
  // The next block of that size reuses the freed memory.
  void* again = std::malloc(kBlock);
  EXPECT_EQ(again, block);
  std::free(again);
}

}  // namespace
}  // namespace mdenas
