#include "mdenas/kernels/caching_allocator.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <c10/util/Exception.h>

namespace mdenas {
namespace {

// The alignment of libtorch's CPU allocator: a cache line, an AVX-512
// register.
constexpr size_t kAlignment = 64;

// libtorch 1.x (Debian's) declares Allocator::allocate const; 2.x
// (PyTorch's packages) declares it non-const and adds copy_data. Both
// overloads are here, and the one this libtorch declares is the override.
class Pool final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t bytes) { return std::as_const(*this).allocate(bytes); }
  void copy_data(void* destination, const void* source, size_t bytes) const {
    std::memcpy(destination, source, bytes);
  }
  c10::DataPtr allocate(size_t bytes) const {
    void* data = nullptr;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        data = it->second.back();
        it->second.pop_back();
        free_bytes_ -= bytes;
      }
      in_use_bytes_ += bytes;
      peak_in_use_bytes_ = std::max(peak_in_use_bytes_, in_use_bytes_);
    }
    if (data == nullptr && bytes > 0) {
      data = std::aligned_alloc(kAlignment, (bytes + kAlignment - 1) / kAlignment * kAlignment);
      TORCH_CHECK(data != nullptr, "out of memory allocating ", bytes, " bytes");
    }
    Report(data, static_cast<int64_t>(bytes));
    return {data, new Block{data, bytes}, &Free, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return nullptr; }

  int64_t free_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return free_bytes_;
  }

 private:
  struct Block {
    void* data;
    size_t bytes;
  };

  static void Free(void* context) {
    auto* block = static_cast<Block*>(context);
    static_cast<Pool*>(CachingCpuAllocator())->Release(block->data, block->bytes);
    delete block;
  }

  void Release(void* data, size_t bytes) {
    Report(data, -static_cast<int64_t>(bytes));
    std::lock_guard<std::mutex> lock(mutex_);
    in_use_bytes_ -= bytes;
    if (data == nullptr) return;
    if (free_bytes_ + bytes > peak_in_use_bytes_) {
      std::free(data);
      return;
    }
    free_[bytes].push_back(data);
    free_bytes_ += bytes;
  }

  void Report(void* data, int64_t bytes) const {
    c10::reportMemoryUsageToProfiler(data, bytes, in_use_bytes_, in_use_bytes_ + free_bytes_,
                                     c10::Device(c10::DeviceType::CPU));
  }

  mutable std::mutex mutex_;
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

int64_t CachedFreeBytes() {
  return static_cast<int64_t>(static_cast<Pool*>(CachingCpuAllocator())->free_bytes());
}

}  // namespace mdenas
