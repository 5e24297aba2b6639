// Counts the bytes libtorch allocates on the CPU from this thread, now and at
// the peak, through c10's memory-reporting hook (the one the PyTorch profiler
// uses for profile_memory). Exact and deterministic, unlike the process's
// resident set size, so tests can compare the memory two computations need.
// Run them with one intra-op thread to see every allocation.

#ifndef MDENAS_BASE_CPU_ALLOCATION_TRACKER_H_
#define MDENAS_BASE_CPU_ALLOCATION_TRACKER_H_

#include <cstdint>
#include <memory>

namespace c10 {
class DebugInfoGuard;
}  // namespace c10

namespace mdenas {

// Counts from construction until destruction.
class CpuAllocationTracker {
 public:
  CpuAllocationTracker();
  ~CpuAllocationTracker();
  CpuAllocationTracker(const CpuAllocationTracker&) = delete;
  CpuAllocationTracker& operator=(const CpuAllocationTracker&) = delete;

  // Bytes allocated since construction and not yet freed.
  int64_t current_bytes() const;
  // The largest current_bytes() seen since construction or ResetPeak().
  int64_t peak_bytes() const;
  void ResetPeak();

 private:
  class Reporter;
  std::shared_ptr<Reporter> reporter_;
  std::unique_ptr<c10::DebugInfoGuard> guard_;
};

}  // namespace mdenas

#endif  // MDENAS_BASE_CPU_ALLOCATION_TRACKER_H_
