#include "mdenas/kernels/caching_allocator.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>

namespace mdenas {
namespace {

// The alignment of libtorch's CPU allocator: a cache line, an AVX-512
// register.
constexpr size_t kAlignment = 64;

class Pool final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t bytes) const override {
    void* data = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        data = it->second.back();
        it->second.pop_back();
        free_bytes_ -= bytes;
      }
    }
    if (data == nullptr && bytes > 0) {
      data = std::aligned_alloc(kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
      TORCH_CHECK(data != nullptr, "out of memory allocating ", bytes, " bytes");
    }
    if (data != nullptr) {
      std::lock_guard<std::mutex> lock(mutex_);
      in_use_[data] = bytes;
      in_use_bytes_ += bytes;
      peak_in_use_bytes_ = std::max(peak_in_use_bytes_, in_use_bytes_);
      Report(data, static_cast<int64_t>(bytes));
    }
    // The data is its own context, as raw_allocate's callers (oneDNN) need.
    return {data, data, &Free, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &Free; }

  // The allocator the pool replaced as libtorch's CPU allocator: blocks it
  // gave go back to it.
  void set_replaced(c10::Allocator* replaced) {
    std::lock_guard<std::mutex> lock(mutex_);
    replaced_ = replaced;
  }

  int64_t free_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return free_bytes_;
  }

 private:
  // Like free(), takes null (raw_deallocate passes it on).
  static void Free(void* data) {
    if (data != nullptr) static_cast<Pool*>(CachingCpuAllocator())->Release(data);
  }

  void Release(void* data) {
    std::unique_lock<std::mutex> lock(mutex_);
    const auto it = in_use_.find(data);
    if (it == in_use_.end()) {
      // oneDNN frees through whichever CPU allocator is current.
      TORCH_CHECK(replaced_ != nullptr && replaced_->raw_deleter() != nullptr,
                  "freeing memory the caching allocator did not give");
      const c10::DeleterFnPtr deleter = replaced_->raw_deleter();
      lock.unlock();
      deleter(data);
      return;
    }
    const size_t bytes = it->second;
    in_use_.erase(it);
    in_use_bytes_ -= bytes;
    const bool keep = free_bytes_ + bytes <= peak_in_use_bytes_;
    if (keep) {
      free_[bytes].push_back(data);
      free_bytes_ += bytes;
    }
    Report(data, -static_cast<int64_t>(bytes));
    lock.unlock();
    if (!keep) std::free(data);
  }

  // Under mutex_.
  void Report(void* data, int64_t bytes) const {
    c10::reportMemoryUsageToProfiler(data, bytes, in_use_bytes_, in_use_bytes_ + free_bytes_,
                                     c10::Device(c10::DeviceType::CPU));
  }

  mutable std::mutex mutex_;
  c10::Allocator* replaced_ = nullptr;
  // The sizes of the blocks in use, by address; the free blocks, by size.
  mutable std::unordered_map<void*, size_t> in_use_;
  mutable std::unordered_map<size_t, std::vector<void*>> free_;
  mutable size_t free_bytes_ = 0;
  mutable size_t in_use_bytes_ = 0;
  mutable size_t peak_in_use_bytes_ = 0;
};

}  // namespace

c10::Allocator* CachingCpuAllocator() {
  static Pool* const pool = new Pool;
  return pool;
}

void UseCachingCpuAllocatorForAllTensors() {
  auto* pool = static_cast<Pool*>(CachingCpuAllocator());
  if (c10::GetCPUAllocator() == pool) return;
  pool->set_replaced(c10::GetCPUAllocator());
  // Above the priority of libtorch's default CPU allocator (0).
  c10::SetCPUAllocator(pool, /*priority=*/1);
}

int64_t CachedFreeBytes() {
  return static_cast<int64_t>(static_cast<Pool*>(CachingCpuAllocator())->free_bytes());
}

}  // namespace mdenas
