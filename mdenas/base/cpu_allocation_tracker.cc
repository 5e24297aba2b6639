#include "mdenas/base/cpu_allocation_tracker.h"

#include <algorithm>

#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>

namespace mdenas {

// libtorch's CPU allocator reports each allocation and each free of memory
// it reported allocating, with its signed size. The totals it passes along
// are int64_t in libtorch 1.x (Debian's) and size_t in 2.x (PyTorch's
// packages): of the two overloads, this libtorch's is the override.
class CpuAllocationTracker::Reporter : public c10::MemoryReportingInfoBase {
 public:
  void reportMemoryUsage(void* /*pointer*/, int64_t bytes,
                         int64_t /*total_allocated*/, int64_t /*total_reserved*/,
                         c10::Device device) {
    Record(bytes, device);
  }
  void reportMemoryUsage(void* /*pointer*/, int64_t bytes,
                         size_t /*total_allocated*/, size_t /*total_reserved*/,
                         c10::Device device) {
    Record(bytes, device);
  }
  bool memoryProfilingEnabled() const override { return true; }

  int64_t current() const { return current_; }
  int64_t peak() const { return peak_; }
  void ResetPeak() { peak_ = current_; }

 private:
  void Record(int64_t bytes, c10::Device device) {
    if (device.type() != c10::DeviceType::CPU) return;
    current_ += bytes;
    peak_ = std::max(peak_, current_);
  }

  int64_t current_ = 0;
  int64_t peak_ = 0;
};

CpuAllocationTracker::CpuAllocationTracker()
    : reporter_(std::make_shared<Reporter>()),
      guard_(std::make_unique<c10::DebugInfoGuard>(
          c10::DebugInfoKind::PROFILER_STATE, reporter_)) {}

CpuAllocationTracker::~CpuAllocationTracker() = default;

int64_t CpuAllocationTracker::current_bytes() const {
  return reporter_->current();
}

int64_t CpuAllocationTracker::peak_bytes() const { return reporter_->peak(); }

void CpuAllocationTracker::ResetPeak() { reporter_->ResetPeak(); }

}  // namespace mdenas
