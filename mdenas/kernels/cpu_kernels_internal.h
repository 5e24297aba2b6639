// What the files of one CPU kernel variant share. The kernels of
// cpu_kernels.h are split by family into the cpu_kernels_<family>.cc
// files, and each of them, cpu_kernels_table.cc too, is compiled once per
// instruction-set variant (BUILD: cpu_kernels_avx512, cpu_kernels_avx2,
// cpu_kernels_baseline), each time into namespace
// mdenas::MDENAS_CPU_VARIANT and for the variant's instruction sets
// (simd.h); cpu_kernels.cc picks a variant at run time.
//
// Loops run over pixels with a channel chunk (one SIMD vector, simd.h)
// innermost: in channels-last layout a pixel's channels are contiguous, so
// every window tap is one vector load whatever the stride or dilation.
//
// Include this header after every other: it ends with simd.h, and the code
// after it is compiled for the variant's instruction sets.

#ifndef MDENAS_KERNELS_CPU_KERNELS_INTERNAL_H_
#define MDENAS_KERNELS_CPU_KERNELS_INTERNAL_H_

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "mdenas/kernels/cpu_kernels.h"
#include "mdenas/kernels/window_geometry.h"

// Last: the code below it is compiled for the variant's instruction sets.
#include "mdenas/kernels/simd.h"

namespace mdenas {
namespace MDENAS_CPU_VARIANT {

// The variant's files use the vector helpers unqualified.
using simd::Broadcast;
using simd::ForEachBlock;
using simd::ForEachChannelChunk;
using simd::InRegister;
using simd::Load;
using simd::Max;
using simd::Relu;
using simd::Store;
using simd::Vec;
using simd::WherePositive;

// The lane count of a channel chunk, from ForEachChannelChunk's
// std::integral_constant.
template <typename Lanes>
constexpr int kL = Lanes::value;

// Work items per parallel task such that a task does about kTaskWork
// multiply-adds (or element visits); fewer tasks are not worth a thread.
inline int64_t GrainFor(int64_t work_per_item) {
  constexpr int64_t kTaskWork = 1 << 15;
  return std::max<int64_t>(1, kTaskWork / std::max<int64_t>(1, work_per_item));
}

// Rows of a reduction are summed in fixed blocks, each block on one thread,
// and the blocks in order: the same result for any thread count. At most 64
// blocks, of at least `min_rows` rows.
inline int64_t ReductionBlockRows(int64_t rows, int64_t min_rows) {
  constexpr int64_t kMaxBlocks = 64;
  return std::max<int64_t>(min_rows, (rows + kMaxBlocks - 1) / kMaxBlocks);
}

// Rows per block of a column reduction: enough to amortise merging blocks.
inline constexpr int64_t kMinColumnBlockRows = 256;

// Calls rows(first, last) for blocks of at most 16 rows that cover [begin,
// end): a row-wise kernel runs its channel chunks over a block at a time,
// so a row's cache lines are still in L1 when the next chunk reads them.
// (Over the whole range, a matrix larger than the caches is read from
// memory once per chunk: twice, for 16 channels in AVX2's 8 lanes.)
template <typename Rows>
inline void ForEachRowBlock(int64_t begin, int64_t end, Rows&& rows) {
  constexpr int64_t kBlockRows = 16;
  for (int64_t first = begin; first < end; first += kBlockRows) {
    rows(first, std::min(end, first + kBlockRows));
  }
}

// The loops of a row-wise kernel over a [rows][cols] matrix: calls
// chunk(lanes, c0, first, last) for every channel chunk of every block of
// rows [first, last) (ForEachRowBlock), blocks in parallel; `row_work` is
// one row's work, for the grain.
template <typename T, typename Chunk>
inline void ForEachRowBlockChunk(int64_t rows, int64_t cols, int64_t row_work, Chunk&& chunk) {
  at::parallel_for(0, rows, GrainFor(row_work), [&](int64_t begin, int64_t end) {
    ForEachRowBlock(begin, end, [&](int64_t first, int64_t last) {
      ForEachChannelChunk<T>(cols, [&](auto lanes, int64_t c0) { chunk(lanes, c0, first, last); });
    });
  });
}

// out[i] = sum over b < count, in order, of parts[b * size + i].
template <typename T>
void SumInOrder(const T* parts, int64_t count, int64_t size, T* out) {
  at::parallel_for(0, size, GrainFor(count), [&](int64_t begin, int64_t end) {
    std::copy(parts + begin, parts + end, out + begin);
    for (int64_t b = 1; b < count; ++b) {
      const T* part = parts + b * size;
      for (int64_t i = begin; i < end; ++i) out[i] += part[i];
    }
  });
}

// Sums partial results of fixed row blocks: fill(first_row, end_row,
// partial) adds the contribution of rows [first_row, end_row) to a zeroed
// `size`-element partial; the partials are summed in block order into `out`.
template <typename T, typename Fill>
void ReduceRowBlocks(int64_t rows, int64_t block_rows, int64_t size,
                     int64_t work_per_row, T* out, Fill&& fill) {
  const int64_t blocks = (rows + block_rows - 1) / block_rows;
  std::vector<T> partials(blocks * size, T(0));
  at::parallel_for(0, blocks, GrainFor(block_rows * work_per_row), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      fill(b * block_rows, std::min(rows, (b + 1) * block_rows), partials.data() + b * size);
    }
  });
  SumInOrder(partials.data(), blocks, size, out);
}

template <typename Body, int... kI>
inline void UnrollSequence(Body& body, std::integer_sequence<int, kI...>) {
  (body(std::integral_constant<int, kI>{}), ...);
}

// Calls body(std::integral_constant<int, i>{}) for i = 0, 1, ..., kCount -
// 1: straight-line code in which i is a constant (an array index the
// compiler can keep in a register, a condition it can decide).
template <int kCount, typename Body>
inline void Unroll(Body&& body) {
  UnrollSequence(body, std::make_integer_sequence<int, kCount>{});
}

// Output pixels computed together, each in its own accumulator: enough
// independent multiply-add chains to hide their latency. (16 measured no
// faster for 3x3 windows, and 5x5 ones spill registers and run at half
// the speed.)
inline constexpr int kPixelBlock = 8;

// A window's shape (a depthwise convolution's or a pooling's) as template
// arguments: kK x kK taps, stride kS, dilation kD.
template <int kKernel, int kStride, int kDilation>
struct Window {
  static constexpr int kK = kKernel;
  static constexpr int kS = kStride;
  static constexpr int kD = kDilation;
};

// One window row over kPixels consecutive output pixels, whose taps read
// input columns [0, (kPixels - 1) * kS + (kK - 1) * kD] of the row at
// `row`: loads each of those input vectors once and calls tap(i, kw, x)
// for every output pixel i and tap column kw that reads it (i * kS + kw *
// kD == column), i and kw as std::integral_constant. Loading a vector per
// tap instead would make the kernels wait on loads, not on arithmetic.
template <typename W, int kPixels, int kLanes, typename T, typename Tap>
inline void SlideRow(const T* row, Tap&& tap) {
  Unroll<(kPixels - 1) * W::kS + (W::kK - 1) * W::kD + 1>([&](auto column) {
    const Vec<T, kLanes> x = InRegister(Load<T, kLanes>(row + decltype(column)::value * kLanes));
    Unroll<W::kK>([&](auto kw) {
      constexpr int kOffset = decltype(column)::value - decltype(kw)::value * W::kD;
      if constexpr (kOffset >= 0 && kOffset % W::kS == 0 && kOffset / W::kS < kPixels) {
        tap(std::integral_constant<int, kOffset / W::kS>{}, kw, x);
      }
    });
  });
}

// A channel chunk of an image inside a border: element (y, x) at
// data() + (y * cols + x) * kLanes, in `storage`, which a caller keeps per
// thread (thread_local) from image to image and from call to call: the
// fast kernels run one image per call, and a new buffer each time cost its
// allocation and zeroing, 1.5% of the search step (stop 18's profile).
template <typename T, int kLanes>
class PaddedChunk {
 public:
  PaddedChunk(int64_t rows, int64_t cols, std::vector<T>* storage)
      : rows_(rows), cols_(cols), storage_(storage) {
    if (storage_->size() < static_cast<size_t>(rows * cols * kLanes)) {
      storage_->resize(rows * cols * kLanes);
    }
  }
  T* data() const { return storage_->data(); }
  int64_t cols() const { return cols_; }

  // Channels [c0, c0 + kLanes) of `image` (height x width pixels, row
  // stride ld) with its pixel (0, 0) at (top, left), ReLU applied when
  // `relu`; `border` elsewhere.
  void Fill(const T* image, int64_t ld, int64_t height, int64_t width, int64_t c0, bool relu,
            int64_t top, int64_t left, T border = T(0)) const {
    using V = Vec<T, kLanes>;
    FillBorder(top, left, height, width, border);
    for (int64_t y = 0; y < height; ++y) {
      T* row = data() + ((top + y) * cols_ + left) * kLanes;
      const T* in = image + y * width * ld + c0;
      for (int64_t x = 0; x < width; ++x) {
        const V v = Load<T, kLanes>(in + x * ld);
        Store<T, kLanes>(row + x * kLanes, relu ? Relu(v) : v);
      }
    }
  }

  // `value` outside the height x width rectangle at (top, left). A vector
  // store per pixel: the border's runs are a few pixels long, and a call of
  // memset for each cost 1.9% of the search step (stop 25's profile).
  // InRegister hides a zero `value`, which GCC would turn back into memset.
  void FillBorder(int64_t top, int64_t left, int64_t height, int64_t width, T value) const {
    const Vec<T, kLanes> v = InRegister(Broadcast<T, kLanes>(value));
    auto fill = [&](int64_t first_pixel, int64_t last_pixel) {
      for (int64_t p = first_pixel; p < last_pixel; ++p) Store<T, kLanes>(data() + p * kLanes, v);
    };
    fill(0, top * cols_);
    for (int64_t y = top; y < top + height; ++y) {
      fill(y * cols_, y * cols_ + left);
      fill(y * cols_ + left + width, (y + 1) * cols_);
    }
    fill((top + height) * cols_, rows_ * cols_);
  }

  void Clear() const { std::fill(data(), data() + rows_ * cols_ * kLanes, T(0)); }

  // Rows [top, top + height) and columns [left, left + width) into `image`,
  // through ReLU's gradient where `mask` is given, added to `base` where
  // it is given.
  void CopyOut(int64_t top, int64_t left, int64_t height, int64_t width, int64_t c0,
               const T* mask, int64_t mask_ld, const T* base, int64_t base_ld, T* image,
               int64_t ld) const {
    using V = Vec<T, kLanes>;
    for (int64_t y = 0; y < height; ++y) {
      for (int64_t x = 0; x < width; ++x) {
        V v = Load<T, kLanes>(data() + ((top + y) * cols_ + left + x) * kLanes);
        const int64_t p = y * width + x;
        if (mask) v = WherePositive(Load<T, kLanes>(mask + p * mask_ld + c0), v);
        if (base) v += Load<T, kLanes>(base + p * base_ld + c0);
        Store<T, kLanes>(image + p * ld + c0, v);
      }
    }
  }

 private:
  int64_t rows_;
  int64_t cols_;
  std::vector<T>* storage_;
};

// Point a table's entries for a family of kernels at this variant's: each
// is defined in the family's file, cpu_kernels_<family>.cc.
template <typename T>
void SetDepthwiseKernels(CpuKernelTable<T>* table);
template <typename T>
void SetGemmKernel(CpuKernelTable<T>* table);
template <typename T>
void SetColumnKernels(CpuKernelTable<T>* table);
template <typename T>
void SetPoolingKernels(CpuKernelTable<T>* table);
template <typename T>
void SetElementwiseKernels(CpuKernelTable<T>* table);

}  // namespace MDENAS_CPU_VARIANT
}  // namespace mdenas

#endif  // MDENAS_KERNELS_CPU_KERNELS_INTERNAL_H_
