#include "mdenas/base/heap_reuse.h"

#include <malloc.h>

#include <limits>

namespace mdenas {

absl::Status ReuseFreedHeapMemory() {
  // AddressSanitizer's mallopt refuses every setting.
  if (kSanitizerAllocator) return absl::OkStatus();
  // mallopt returns 1 on success, 0 on error.
  if (mallopt(M_MMAP_THRESHOLD, kLargestHeapBlock) != 1) {
    return absl::InternalError("mallopt(M_MMAP_THRESHOLD) refused");
  }
  if (mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max()) != 1) {
    return absl::InternalError("mallopt(M_TRIM_THRESHOLD) refused");
  }
  return absl::OkStatus();
}

}  // namespace mdenas
