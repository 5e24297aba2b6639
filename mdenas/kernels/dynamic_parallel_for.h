// A parallel loop whose threads take indices one at a time, as each
// finishes its last (OpenMP's schedule(dynamic)). at::parallel_for gives
// each thread an equal share in advance, and the loop takes as long as the
// slowest share; on this project's 2-core virtual machine the share of one
// thread of the search step's image loops took 15-30% longer than the
// other's, whichever images it held (measured per thread, stop 18's note).
//
// Deterministic where each index writes only its own results: which thread
// ran an index then changes nothing.
//
// at::parallel_for is inline in libtorch's headers: code that includes this
// must be compiled with -fopenmp, or it runs on one thread.

#ifndef MDENAS_KERNELS_DYNAMIC_PARALLEL_FOR_H_
#define MDENAS_KERNELS_DYNAMIC_PARALLEL_FOR_H_

#include <algorithm>
#include <atomic>
#include <cstdint>

#include <ATen/Parallel.h>

namespace mdenas {

// Runs worker(next) once on each of up to `count` of libtorch's threads
// (once in all inside another parallel region); next() returns the indices
// 0, 1, ..., count - 1, each to one caller, and then `count`. So a worker
// sets up its own scratch memory and then loops:
//
//   DynamicParallelFor(batch, [&](const auto& next) {
//     std::vector<float> scratch(size);
//     for (int64_t n = next(); n < batch; n = next()) { ... }
//   });
template <typename Worker>
void DynamicParallelFor(int64_t count, const Worker& worker) {
  std::atomic<int64_t> claimed{0};
  const auto next = [&claimed, count] {
    return std::min(count, claimed.fetch_add(1, std::memory_order_relaxed));
  };
  const int64_t workers = std::min<int64_t>(count, at::get_num_threads());
  at::parallel_for(0, workers, 1, [&](int64_t, int64_t) { worker(next); });
}

}  // namespace mdenas

#endif  // MDENAS_KERNELS_DYNAMIC_PARALLEL_FOR_H_
