#include "mdenas/kernels/stealing_parallel_for.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

// Runs StealingParallelFor(count, work_per_index) on two threads and
// returns, per index, the thread that ran it (-1 where none did); `workers`
// gets the number of workers started. An index that two threads ran fails
// the test.
std::vector<int> ThreadOfEachIndex(int64_t count, int* workers,
                                   std::chrono::milliseconds thread0_pause = {},
                                   int64_t work_per_index = kMinParallelWork) {
  at::set_num_threads(2);
  std::vector<int> thread(count, -1);
  std::vector<std::atomic<int>> runs(count);
  std::atomic<int> started{0};
  StealingParallelFor(count, work_per_index, [&](const auto& next) {
    ++started;
    const int me = at::get_thread_num();
    for (int64_t i = next(); i < count; i = next()) {
      if (me == 0) std::this_thread::sleep_for(thread0_pause);
      thread[i] = me;
      ++runs[i];
    }
  });
  for (int64_t i = 0; i < count; ++i) EXPECT_LE(runs[i].load(), 1) << "index " << i;
  *workers = started.load();
  return thread;
}

TEST(StealingParallelForTest, RunsEveryIndexOnceOnEveryThread) {
  int workers = 0;
  const std::vector<int> thread = ThreadOfEachIndex(1000, &workers);
  EXPECT_EQ(workers, 2);
  for (size_t i = 0; i < thread.size(); ++i) EXPECT_NE(thread[i], -1) << "index " << i;
}

TEST(StealingParallelForTest, StartsNoMoreWorkersThanIndices) {
  int workers = 0;
  EXPECT_EQ(ThreadOfEachIndex(1, &workers), std::vector<int>{0});
  EXPECT_EQ(workers, 1);
  EXPECT_TRUE(ThreadOfEachIndex(0, &workers).empty());
  EXPECT_EQ(workers, 0);
}

// A second thread only where there is work for two, kMinParallelWork
// each: 64 indices of kMinParallelWork / 32.
TEST(StealingParallelForTest, StartsAWorkerPerThreadsWorthOfWork) {
  int workers = 0;
  const std::vector<int> thread = ThreadOfEachIndex(64, &workers, {}, kMinParallelWork / 32 - 1);
  EXPECT_EQ(workers, 1);
  EXPECT_EQ(thread, std::vector<int>(64, 0));
  ThreadOfEachIndex(64, &workers, {}, kMinParallelWork / 32);
  EXPECT_EQ(workers, 2);
  ThreadOfEachIndex(64, &workers, {}, 0);
  EXPECT_EQ(workers, 1);
}

// Thread 1 starts with its share (10 .. 19), and, what fixed shares cannot
// do, the thread that is held up runs fewer indices.
TEST(StealingParallelForTest, AHeldUpThreadRunsFewerIndices) {
  int workers = 0;
  const std::vector<int> thread =
      ThreadOfEachIndex(20, &workers, std::chrono::milliseconds(20));
  EXPECT_EQ(thread[10], 1);
  int on_thread0 = 0;
  for (int t : thread) on_thread0 += t == 0;
  EXPECT_LT(on_thread0, 10);
}

TEST(StealingParallelForTest, InsideAParallelRegionOneWorkerRunsAll) {
  at::set_num_threads(2);
  std::vector<int> workers(2, 0);
  std::vector<std::vector<int64_t>> claimed(2);
  at::parallel_for(0, 2, 1, [&](int64_t begin, int64_t end) {
    for (int64_t outer = begin; outer < end; ++outer) {
      StealingParallelFor(5, kMinParallelWork, [&](const auto& next) {
        ++workers[outer];
        for (int64_t i = next(); i < 5; i = next()) claimed[outer].push_back(i);
      });
    }
  });
  for (int outer = 0; outer < 2; ++outer) {
    EXPECT_EQ(workers[outer], 1);
    EXPECT_EQ(claimed[outer], (std::vector<int64_t>{0, 1, 2, 3, 4}));
  }
}

}  // namespace
}  // namespace mdenas
