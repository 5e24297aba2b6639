// Memory for the fast kernels' tensors, kept for reuse when freed. A
// training step asks for the same sizes every step (exactly the same while
// the sampled path stays fixed), and memory fresh from the system costs a
// page fault per 4 KiB at first touch: about a sixth of the search step's
// time before this pool. Like PyTorch's CUDA caching allocator, a freed
// block waits for the next request of its size; the pool keeps at most as
// many free bytes as it ever had in use at once. Every allocation and free
// is reported to c10's memory-usage hook, as libtorch's CPU allocator does,
// so CpuAllocationTracker counts these tensors too.

#ifndef MDENAS_KERNELS_CACHING_ALLOCATOR_H_
#define MDENAS_KERNELS_CACHING_ALLOCATOR_H_

#include <cstdint>

#include <c10/core/Allocator.h>

namespace mdenas {

// The process's pool (thread-safe).
c10::Allocator* CachingCpuAllocator();

// Bytes in free blocks the pool keeps for reuse.
int64_t CachedFreeBytes();

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CACHING_ALLOCATOR_H_
