// A parallel loop in which a thread done with its own share of the indices
// goes on with the rest of another's. at::parallel_for fixes equal shares
// in advance, and the loop lasts as long as its slowest thread; on a
// virtual machine one core is at times slowed by work outside the process.
// Measured on the search step (stop 18's note): with a busy loop on one of
// the two cores, its image loops this way made the step 10% faster than
// fixed shares; on a machine otherwise idle, the two are the same within
// the noise.
//
// A thread first takes its own share, in order: the indices
// at::parallel_for would give it, whose data it has likely just written
// itself (the fast kernels' other loops split rows the same way). Then it
// takes the next index of the other shares, one at a time.
//
// Deterministic where each index writes only its own results: which thread
// ran an index then changes nothing.
//
// It starts no more threads than get kMinParallelWork each. Below that a
// parallel region costs more than it saves: microseconds on idle cores,
// and up to milliseconds where other processes share them, as libgomp's
// threads spin while they wait for each other (conv_bn_test's finite
// differences, 14,448 regions of a few microseconds' work each: 0.5 s on
// one thread, 5 s on two, 50 s beside two more copies of the test).
//
// at::parallel_for is inline in libtorch's headers: code that includes this
// must be compiled with -fopenmp, or it runs on one thread.

#ifndef MDENAS_KERNELS_STEALING_PARALLEL_FOR_H_
#define MDENAS_KERNELS_STEALING_PARALLEL_FOR_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include <ATen/Parallel.h>

namespace mdenas {

// The least work, in multiply-adds (or element visits), worth a thread of
// its own: the CPU kernels' task size (cpu_kernels_internal.h, GrainFor).
inline constexpr int64_t kMinParallelWork = int64_t{1} << 15;

// Runs worker(next) once on each of up to `count` of libtorch's threads,
// as many as get kMinParallelWork of the indices' work each, each index
// `work_per_index` (once in all inside another parallel region); next()
// returns each of the indices 0 .. count - 1 to one caller, its own share
// first, and then `count`. So a worker sets up what it needs once and then
// loops:
//
//   StealingParallelFor(batch, image_work, [&](const auto& next) {
//     ...
//     for (int64_t n = next(); n < batch; n = next()) { ... }
//   });
template <typename Worker>
void StealingParallelFor(int64_t count, int64_t work_per_index, const Worker& worker) {
  const int64_t worth = std::max<int64_t>(1, count * work_per_index / kMinParallelWork);
  const int64_t workers = std::min({count, worth, static_cast<int64_t>(at::get_num_threads())});
  if (workers <= 0) return;
  const int64_t share = (count + workers - 1) / workers;
  std::vector<std::atomic<int64_t>> next_of_share(workers);
  for (int64_t s = 0; s < workers; ++s) next_of_share[s] = s * share;
  at::parallel_for(0, workers, 1, [&](int64_t own, int64_t) {
    const auto next = [&, own] {
      for (int64_t k = 0; k < workers; ++k) {
        const int64_t s = (own + k) % workers;
        const int64_t i = next_of_share[s].fetch_add(1, std::memory_order_relaxed);
        if (i < std::min(count, (s + 1) * share)) return i;
      }
      return count;
    };
    worker(next);
  });
}

}  // namespace mdenas

#endif  // MDENAS_KERNELS_STEALING_PARALLEL_FOR_H_
