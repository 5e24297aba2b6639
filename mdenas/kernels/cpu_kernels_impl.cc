// The CPU kernels of cpu_kernels.h. This file is compiled once per
// instruction-set variant (BUILD: cpu_kernels_avx512, cpu_kernels_baseline),
// each time into namespace mdenas::MDENAS_CPU_VARIANT and for the variant's
// instruction sets (simd.h); cpu_kernels.cc picks a variant at run time.
//
// Loops run over pixels with a channel chunk (one SIMD vector, simd.h)
// innermost: in channels-last layout a pixel's channels are contiguous, so
// every window tap is one vector load whatever the stride or dilation.

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "mdenas/kernels/cpu_kernels.h"

// Last: the code below it is compiled for the variant's instruction sets.
#include "mdenas/kernels/simd.h"

namespace mdenas {
namespace MDENAS_CPU_VARIANT {
namespace {

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

template <typename Lanes>
constexpr int kL = Lanes::value;

// Work items per parallel task such that a task does about kTaskWork
// multiply-adds (or element visits); fewer tasks are not worth a thread.
int64_t GrainFor(int64_t work_per_item) {
  constexpr int64_t kTaskWork = 1 << 15;
  return std::max<int64_t>(1, kTaskWork / std::max<int64_t>(1, work_per_item));
}

// Rows of a reduction are summed in fixed blocks, each block on one thread,
// and the blocks in order: the same result for any thread count. At most 64
// blocks, of at least `min_rows` rows.
int64_t ReductionBlockRows(int64_t rows, int64_t min_rows) {
  constexpr int64_t kMaxBlocks = 64;
  return std::max<int64_t>(min_rows, (rows + kMaxBlocks - 1) / kMaxBlocks);
}

// Rows per block of a column reduction: enough to amortise merging blocks.
constexpr int64_t kMinColumnBlockRows = 256;

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

// The window taps that land inside the image, for output position `out`
// along an axis of `size` input positions: taps [begin, end) read input
// positions first + tap * dilation.
struct TapRange {
  int64_t begin;
  int64_t end;
  int64_t first;
};

TapRange TapsInside(int64_t out, int64_t size, const WindowGeometry& g) {
  const int64_t first = out * g.stride - g.padding;
  int64_t begin = 0;
  if (first < 0) begin = (-first + g.dilation - 1) / g.dilation;
  int64_t end = g.kernel;
  const int64_t last_allowed = size - 1 - first;  // tap * dilation <= this
  if (last_allowed < 0) {
    end = 0;
  } else {
    end = std::min(end, last_allowed / g.dilation + 1);
  }
  return {begin, std::max(begin, end), first};
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

// ---------------------------------------------------------------------------
// Depthwise convolution, one image and one channel chunk at a time. The
// chunk is first copied into a zero-bordered buffer, so that every window
// tap lies inside it: the taps unroll (the window's shape is a template
// argument) and a block of output pixels accumulates in registers.

// Output pixels computed together, each in its own accumulator: enough
// independent multiply-add chains to hide their latency. (16 measured no
// faster for 3x3 windows, and 5x5 ones spill registers and run at half
// the speed.)
constexpr int kPixelBlock = 8;

// Output pixels whose gradients the depthwise weight gradient holds in
// registers together, beside its kK * kK tap accumulators and an input
// vector: 8 where they fit the variant's registers (3x3 windows on
// AVX-512), else 4 (with 8, the 5x5 kernel spills on AVX-512 and runs at
// half the speed).
template <int kK>
constexpr int kWeightGradientPixels = kK * kK + 8 + 1 <= simd::kRegisters ? 8 : 4;

// Window rows whose taps the weight gradient accumulates in one pass over
// the image: all where their accumulators fit the registers beside the
// gradients and an input vector, else as many as fit (two of a 5x5
// window's on AVX2, whose 25 accumulators would otherwise live in memory,
// a load and a store around every multiply-add).
template <int kK>
constexpr int kWeightGradientRows = [] {
  int rows = kK;
  while (rows > 1 && rows * kK + kWeightGradientPixels<kK> + 1 > simd::kRegisters) --rows;
  return rows;
}();

// A depthwise window's shape as template arguments: kK x kK taps, stride
// kS, dilation kD.
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

// kPixels output pixels (oy, x0 / kS + i) of a correlation of `padded`
// with the window's taps `w`: out = sum over taps of padded(y0 + kh * kD,
// x0 + i * kS + kw * kD) * w[kh * kK + kw]. Where `mask` is given the
// result passes through ReLU's gradient: zero where mask <= 0; where `base`
// is, it is added to base (a gradient accumulating).
template <typename T, int kLanes, typename W, int kPixels>
inline void CorrelateBlock(const T* padded, int64_t padded_cols, int64_t y0,
                           int64_t x0, const Vec<T, kLanes>* w, T* out,
                           int64_t out_ld, const T* mask, int64_t mask_ld,
                           const T* base, int64_t base_ld) {
  using V = Vec<T, kLanes>;
  V acc[kPixels] = {};
  Unroll<W::kK>([&](auto kh) {
    const T* row = padded + ((y0 + kh * W::kD) * padded_cols + x0) * kLanes;
    SlideRow<W, kPixels, kLanes>(row, [&](auto i, auto kw, V x) {
      acc[i] += x * w[kh * W::kK + kw];
    });
  });
#pragma GCC unroll 16
  for (int i = 0; i < kPixels; ++i) {
    V r = mask == nullptr ? acc[i] : WherePositive(Load<T, kLanes>(mask + i * mask_ld), acc[i]);
    if (base) r += Load<T, kLanes>(base + i * base_ld);
    Store<T, kLanes>(out + i * out_ld, r);
  }
}

// All out_rows x out_cols pixels of the correlation, written at
// out + (oy * out_cols + ox) * out_ld.
template <typename T, int kLanes, typename W>
void Correlate(const PaddedChunk<T, kLanes>& padded, const Vec<T, kLanes>* w,
               int64_t out_rows, int64_t out_cols, T* out, int64_t out_ld,
               const T* mask, int64_t mask_ld, const T* base, int64_t base_ld) {
  for (int64_t oy = 0; oy < out_rows; ++oy) {
    const int64_t first = oy * out_cols;
    ForEachBlock<kPixelBlock>(out_cols, [&](auto pixels, int64_t ox) {
      CorrelateBlock<T, kLanes, W, decltype(pixels)::value>(
          padded.data(), padded.cols(), oy * W::kS, ox * W::kS, w,
          out + (first + ox) * out_ld, out_ld, mask ? mask + (first + ox) * mask_ld : nullptr,
          mask_ld, base ? base + (first + ox) * base_ld : nullptr, base_ld);
    });
  }
}

// Calls body(std::integral_constant<int, k>{}) for the window sizes the
// depthwise kernels unroll: those of the search space.
template <typename Body>
void WithKernelSize(int64_t kernel, Body&& body) {
  switch (kernel) {
    case 3:
      return body(std::integral_constant<int, 3>{});
    case 5:
      return body(std::integral_constant<int, 5>{});
  }
  TORCH_CHECK(false, "the fast depthwise kernels take 3x3 and 5x5 windows, not ", kernel, "x",
              kernel);
}

// Calls body(Window<...>{}) for g's window: the shapes of the search space
// (3x3 and 5x5, stride and dilation 1 or 2).
template <typename Body>
void WithWindow(const WindowGeometry& g, Body&& body) {
  TORCH_CHECK((g.stride == 1 || g.stride == 2) && (g.dilation == 1 || g.dilation == 2),
              "the fast depthwise kernels take strides and dilations of 1 and 2, not stride ",
              g.stride, ", dilation ", g.dilation);
  auto one_or_two = [](int64_t value, auto&& then) {
    return value == 1 ? then(std::integral_constant<int, 1>{})
                      : then(std::integral_constant<int, 2>{});
  };
  WithKernelSize(g.kernel, [&](auto k) {
    one_or_two(g.stride, [&](auto s) {
      one_or_two(g.dilation, [&](auto d) {
        body(Window<decltype(k)::value, decltype(s)::value, decltype(d)::value>{});
      });
    });
  });
}

template <typename T>
void DepthwiseForward(const WindowGeometry& g, const T* input, int64_t input_ld,
                      bool relu_input, const T* weight, T* output,
                      int64_t output_ld) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  const int64_t image_work = ho * wo * g.channels * g.kernel * g.kernel;
  WithWindow(g, [&](auto window) {
    using W = decltype(window);
    constexpr int K = W::kK;
    at::parallel_for(0, g.batch, GrainFor(image_work), [&](int64_t begin, int64_t end) {
      thread_local std::vector<T> storage;
      for (int64_t n = begin; n < end; ++n) {
        ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
          constexpr int L = kL<decltype(lanes)>;
          using V = Vec<T, L>;
          const PaddedChunk<T, L> padded(g.height + 2 * g.padding, g.width + 2 * g.padding,
                                         &storage);
          padded.Fill(input + n * g.height * g.width * input_ld, input_ld, g.height, g.width, c0,
                      relu_input, g.padding, g.padding);
          V w[K * K];
          for (int t = 0; t < K * K; ++t) w[t] = Load<T, L>(weight + t * g.channels + c0);
          Correlate<T, L, W>(padded, w, ho, wo, output + n * ho * wo * output_ld + c0, output_ld,
                             nullptr, 0, nullptr, 0);
        });
      }
    });
  });
}

template <typename T>
void DepthwiseBackwardInput(const WindowGeometry& g, const T* grad_output,
                            int64_t grad_ld, const T* weight,
                            const T* relu_input, int64_t relu_input_ld,
                            T* grad_input, int64_t grad_input_ld,
                            const T* grad_base, int64_t grad_base_ld) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  const int64_t span = (g.kernel - 1) * g.dilation;
  const int64_t image_work = ho * wo * g.channels * g.kernel * g.kernel;
  WithWindow(g, [&](auto window) {
    using W = decltype(window);
    constexpr int K = W::kK;
    at::parallel_for(0, g.batch, GrainFor(image_work), [&](int64_t begin, int64_t end) {
      thread_local std::vector<T> storage;
      for (int64_t n = begin; n < end; ++n) {
        const T* grad_image = grad_output + n * ho * wo * grad_ld;
        T* out = grad_input + n * g.height * g.width * grad_input_ld;
        const T* mask = relu_input ? relu_input + n * g.height * g.width * relu_input_ld : nullptr;
        const T* base = grad_base ? grad_base + n * g.height * g.width * grad_base_ld : nullptr;
        ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
          constexpr int L = kL<decltype(lanes)>;
          using V = Vec<T, L>;
          if (W::kS == 1 && g.padding <= span) {
            // A correlation of the padded output gradient with the flipped
            // window.
            V w[K * K];
            for (int t = 0; t < K * K; ++t) {
              w[t] = Load<T, L>(weight + (K * K - 1 - t) * g.channels + c0);
            }
            const PaddedChunk<T, L> padded(g.height + span, g.width + span, &storage);
            padded.Fill(grad_image, grad_ld, ho, wo, c0, false, span - g.padding,
                        span - g.padding);
            Correlate<T, L, Window<K, 1, W::kD>>(padded, w, g.height, g.width, out + c0,
                                                 grad_input_ld, mask ? mask + c0 : nullptr,
                                                 relu_input_ld, base ? base + c0 : nullptr,
                                                 grad_base_ld);
            return;
          }
          // Strided: scatter every output gradient into its window, inside
          // a zero-bordered input-sized buffer.
          const PaddedChunk<T, L> padded(g.height + 2 * g.padding, g.width + 2 * g.padding,
                                         &storage);
          padded.Clear();
          for (int64_t oh = 0; oh < ho; ++oh) {
            for (int64_t ow = 0; ow < wo; ++ow) {
              const V grad = Load<T, L>(grad_image + (oh * wo + ow) * grad_ld + c0);
              T* corner = padded.data() + (oh * W::kS * padded.cols() + ow * W::kS) * L;
#pragma GCC unroll 5
              for (int kh = 0; kh < K; ++kh) {
#pragma GCC unroll 5
                for (int kw = 0; kw < K; ++kw) {
                  T* slot = corner + (kh * padded.cols() + kw) * W::kD * L;
                  Store<T, L>(slot, Load<T, L>(slot) +
                                        grad * Load<T, L>(weight + (kh * K + kw) * g.channels + c0));
                }
              }
            }
          }
          padded.CopyOut(g.padding, g.padding, g.height, g.width, c0, mask, relu_input_ld, base,
                         grad_base_ld, out, grad_input_ld);
        });
      }
    });
  });
}

// Adds to acc[(kh - kFirstRow) * kK + kw], the weight gradient's taps in
// window rows [kFirstRow, kFirstRow + kRows), the contribution of kPixels
// output pixels (y0 / kS, x0 / kS + i) with gradients at grad + i *
// grad_ld: the sum over i of grad_i * padded(y0 + kh * kD, x0 + i * kS +
// kw * kD).
template <typename T, int kLanes, typename W, int kFirstRow, int kRows, int kPixels>
inline void AccumulateWeightGradient(const T* padded, int64_t padded_cols, int64_t y0,
                                     int64_t x0, const T* grad, int64_t grad_ld,
                                     Vec<T, kLanes>* acc) {
  using V = Vec<T, kLanes>;
  V grads[kPixels];
#pragma GCC unroll 16
  for (int i = 0; i < kPixels; ++i) grads[i] = Load<T, kLanes>(grad + i * grad_ld);
  Unroll<kRows>([&](auto row) {
    constexpr int kRow = decltype(row)::value;
    const T* line = padded + ((y0 + (kFirstRow + kRow) * W::kD) * padded_cols + x0) * kLanes;
    SlideRow<W, kPixels, kLanes>(line, [&](auto i, auto kw, V x) {
      acc[kRow * W::kK + kw] += grads[i] * x;
    });
  });
}

template <typename T>
void DepthwiseBackwardWeight(const WindowGeometry& g, const T* grad_output,
                             int64_t grad_ld, const T* input,
                             int64_t input_ld, bool relu_input,
                             T* grad_weight) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  const int64_t image_work = ho * wo * g.channels * g.kernel * g.kernel;
  WithWindow(g, [&](auto window) {
    using W = decltype(window);
    constexpr int K = W::kK;
    ReduceRowBlocks<T>(
        g.batch, ReductionBlockRows(g.batch, 1), K * K * g.channels, image_work, grad_weight,
        [&](int64_t first, int64_t last, T* partial) {
          thread_local std::vector<T> storage;
          for (int64_t n = first; n < last; ++n) {
            ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
              constexpr int L = kL<decltype(lanes)>;
              using V = Vec<T, L>;
              const PaddedChunk<T, L> padded(g.height + 2 * g.padding, g.width + 2 * g.padding,
                                             &storage);
              padded.Fill(input + n * g.height * g.width * input_ld, input_ld, g.height, g.width,
                          c0, relu_input, g.padding, g.padding);
              const T* grad_image = grad_output + n * ho * wo * grad_ld + c0;
              // A pass over the image per group of window rows, with one
              // accumulator per tap of the group.
              constexpr int kRows = kWeightGradientRows<K>;
              Unroll<(K + kRows - 1) / kRows>([&](auto group) {
                constexpr int kFirstRow = decltype(group)::value * kRows;
                constexpr int kGroupRows = std::min(kRows, K - kFirstRow);
                // Blocks of kPixels, then single pixels, in loops written
                // out here: acc must not reach a call the compiler leaves
                // out of line (as it left ForEachBlock's recursion), or it
                // lives in memory, a store beside every multiply-add
                // (cpu_kernels_benchmark --batch=1: 3x3 windows 25-30%
                // slower that way).
                constexpr int kPixels = kWeightGradientPixels<K>;
                V acc[kGroupRows * K] = {};
                for (int64_t oh = 0; oh < ho; ++oh) {
                  const T* grad_row = grad_image + oh * wo * grad_ld;
                  int64_t ow = 0;
                  for (; ow + kPixels <= wo; ow += kPixels) {
                    AccumulateWeightGradient<T, L, W, kFirstRow, kGroupRows, kPixels>(
                        padded.data(), padded.cols(), oh * W::kS, ow * W::kS,
                        grad_row + ow * grad_ld, grad_ld, acc);
                  }
                  for (; ow < wo; ++ow) {
                    AccumulateWeightGradient<T, L, W, kFirstRow, kGroupRows, 1>(
                        padded.data(), padded.cols(), oh * W::kS, ow * W::kS,
                        grad_row + ow * grad_ld, grad_ld, acc);
                  }
                }
                for (int t = 0; t < kGroupRows * K; ++t) {
                  T* slot = partial + (kFirstRow * K + t) * g.channels + c0;
                  Store<T, L>(slot, Load<T, L>(slot) + acc[t]);
                }
              });
            });
          }
        });
  });
}

// ---------------------------------------------------------------------------
// Matrix product.

// A register tile of C: kTileRows rows of A by kTileVectors vectors of B's
// columns, kTileRows * kTileVectors accumulators, beside kTileVectors B
// vectors and a broadcast of A. With AVX-512's 32 registers, 12 x 1; with
// the 16 of AVX2 and SSE, 6 x 2 (the shape of BLIS's Haswell and Zen
// kernels), which loads 8 values per 12 multiply-adds where 12 x 1 loads 13.
constexpr int kTileVectors = simd::kRegisters >= 32 ? 1 : 2;
constexpr int kTileRows = 12 / kTileVectors;

// What a tile applies on the way: ReLU to B's elements as it reads them,
// or ReLU's gradient mask to C as it writes it. (ReLU of A is applied by
// GemmRows, to a packed copy of the tile's rows.)
enum class GemmExtra { kNone, kReluB, kMaskC };

// Rows [row, row + kRows) and columns [c0, c0 + kVectors * L) of C: the sum
// over k of A(r, k) * B(k, c), the tile's rows of A at `a` with the given
// strides.
template <typename T, int L, int kVectors, int kRows, GemmExtra kExtra>
inline void GemmTile(const GemmOperands<T>& g, const T* a, int64_t a_row_stride,
                     int64_t a_depth_stride, int64_t row, int64_t c0) {
  using V = Vec<T, L>;
  const T* b = g.b + c0;
  V acc[kRows][kVectors] = {};
  for (int64_t k = 0; k < g.depth; ++k) {
    V bk[kVectors];
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) {
      bk[v] = InRegister(Load<T, L>(b + k * g.ldb + v * L));
      if constexpr (kExtra == GemmExtra::kReluB) bk[v] = Relu(bk[v]);
    }
    const T* ak = a + k * a_depth_stride;
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      const V ar = Broadcast<T, L>(ak[r * a_row_stride]);
#pragma GCC unroll 2
      for (int v = 0; v < kVectors; ++v) acc[r][v] += bk[v] * ar;
    }
  }
  T* c = g.c + row * g.ldc + c0;
#pragma GCC unroll 12
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) {
      V out = acc[r][v];
      if constexpr (kExtra == GemmExtra::kMaskC) {
        out = WherePositive(Load<T, L>(g.c_mask + (row + r) * g.c_mask_ld + c0 + v * L), out);
      }
      if (g.c_base) out += Load<T, L>(g.c_base + (row + r) * g.c_base_ld + c0 + v * L);
      Store<T, L>(c + r * g.ldc + v * L, out);
    }
  }
}

// ReLU of A's rows [row, row + rows), packed [rows][depth] into `panel`.
template <typename T>
void PackReluRows(const GemmOperands<T>& g, int64_t row, int rows, T* panel) {
  for (int r = 0; r < rows; ++r) {
    const T* a = g.a + (row + r) * g.a_row_stride;
    T* packed = panel + r * g.depth;
    if (g.a_depth_stride != 1) {
      for (int64_t k = 0; k < g.depth; ++k) packed[k] = std::max(a[k * g.a_depth_stride], T(0));
      continue;
    }
    ForEachChannelChunk<T>(g.depth, [&](auto lanes, int64_t k) {
      constexpr int L = kL<decltype(lanes)>;
      Store<T, L>(packed + k, Relu(Load<T, L>(a + k)));
    });
  }
}

// Rows [row_begin, row_end) of the product, all columns, tile by tile.
// With relu_a, each tile's rows of A are ReLU'd once into a packed panel
// that serves all its column blocks: a max beside every broadcast in the
// tile's inner loop instead costs half the product's speed on Zen 3.
template <typename T, GemmExtra kExtra>
void GemmRows(const GemmOperands<T>& g, int64_t row_begin, int64_t row_end) {
  thread_local std::vector<T> panel;
  if (g.relu_a) panel.resize(kTileRows * g.depth);
  int64_t r = row_begin;
  auto tiles = [&](auto rows) {
    constexpr int kRows = decltype(rows)::value;
    for (; r + kRows <= row_end; r += kRows) {
      const T* a = g.a + r * g.a_row_stride;
      int64_t row_stride = g.a_row_stride, depth_stride = g.a_depth_stride;
      if (g.relu_a) {
        PackReluRows(g, r, kRows, panel.data());
        a = panel.data();
        row_stride = g.depth;
        depth_stride = 1;
      }
      // Columns kTileVectors vectors at a time, then in halving widths.
      ForEachBlock<kTileVectors * simd::kMaxLanes<T>>(g.n, [&](auto width, int64_t c0) {
        constexpr int kWidth = decltype(width)::value;
        constexpr int L = std::min(kWidth, simd::kMaxLanes<T>);
        GemmTile<T, L, kWidth / L, kRows, kExtra>(g, a, row_stride, depth_stride, r, c0);
      });
    }
  };
  // Full tiles, then the rest in as few tiles as may be: a tile of one row
  // is a single chain of dependent multiply-adds.
  tiles(std::integral_constant<int, kTileRows>{});
  if constexpr (kTileRows > 8) tiles(std::integral_constant<int, 8>{});
  tiles(std::integral_constant<int, 4>{});
  tiles(std::integral_constant<int, 1>{});
}

template <typename T, GemmExtra kExtra>
void GemmWith(const GemmOperands<T>& g) {
  // A long reduction into few rows (a weight gradient, summed over pixels)
  // is split along the reduction; anything else along the rows.
  constexpr int64_t kSplitDepth = 2048;
  if (g.depth >= kSplitDepth && g.m < 4 * kTileRows && kExtra != GemmExtra::kMaskC) {
    const int64_t block = ReductionBlockRows(g.depth, kMinColumnBlockRows);
    std::vector<T> sum(g.m * g.n);
    ReduceRowBlocks<T>(g.depth, block, g.m * g.n, g.m * g.n, sum.data(),
                       [&](int64_t first, int64_t last, T* partial) {
                         GemmOperands<T> part = g;
                         part.depth = last - first;
                         part.a = g.a + first * g.a_depth_stride;
                         part.b = g.b + first * g.ldb;
                         part.c = partial;
                         part.ldc = g.n;
                         part.c_base = nullptr;
                         GemmRows<T, kExtra>(part, 0, g.m);
                       });
    for (int64_t i = 0; i < g.m; ++i) {
      for (int64_t j = 0; j < g.n; ++j) {
        g.c[i * g.ldc + j] = sum[i * g.n + j] + (g.c_base ? g.c_base[i * g.c_base_ld + j] : T(0));
      }
    }
    return;
  }
  const int64_t tiles = (g.m + kTileRows - 1) / kTileRows;
  at::parallel_for(0, tiles, GrainFor(kTileRows * g.n * g.depth), [&](int64_t begin, int64_t end) {
    GemmRows<T, kExtra>(g, begin * kTileRows, std::min(g.m, end * kTileRows));
  });
}

template <typename T>
void Gemm(const GemmOperands<T>& g) {
  TORCH_CHECK(g.relu_a + g.relu_b + (g.c_mask != nullptr) <= 1,
              "a product applies one ReLU or mask at most");
  if (g.relu_b) return GemmWith<T, GemmExtra::kReluB>(g);
  if (g.c_mask) return GemmWith<T, GemmExtra::kMaskC>(g);
  GemmWith<T, GemmExtra::kNone>(g);
}

// ---------------------------------------------------------------------------
// Per-column statistics and affine maps (batch normalisation).

// The sum of value(r) over rows [first, last), in four independent chains
// (one would wait on the adder's latency at every row).
template <typename V, typename Value>
inline V SumRows(int64_t first, int64_t last, Value&& value) {
  V s0{}, s1{}, s2{}, s3{};
  int64_t r = first;
  for (; r + 4 <= last; r += 4) {
    s0 += value(r);
    s1 += value(r + 1);
    s2 += value(r + 2);
    s3 += value(r + 3);
  }
  for (; r < last; ++r) s0 += value(r);
  return (s0 + s1) + (s2 + s3);
}

template <typename T>
void ColumnMoments(int64_t rows, int64_t cols, const T* x, int64_t ld,
                   double* mean, double* variance) {
  // Each block: its mean, then its sum of squared deviations (two passes
  // over data still in cache); blocks merged in order (Chan et al.).
  const int64_t block_rows = ReductionBlockRows(rows, kMinColumnBlockRows);
  const int64_t blocks = (rows + block_rows - 1) / block_rows;
  std::vector<T> block_mean(blocks * cols), block_m2(blocks * cols);
  at::parallel_for(0, blocks, GrainFor(2 * block_rows * cols), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const int64_t first = b * block_rows, last = std::min(rows, first + block_rows);
      const T inverse_count = T(1) / static_cast<T>(last - first);
      ForEachChannelChunk<T>(cols, [&](auto lanes, int64_t c0) {
        constexpr int L = kL<decltype(lanes)>;
        using V = Vec<T, L>;
        const V m = SumRows<V>(first, last, [&](int64_t r) {
                      return Load<T, L>(x + r * ld + c0);
                    }) * inverse_count;
        const V m2 = SumRows<V>(first, last, [&](int64_t r) {
          const V d = Load<T, L>(x + r * ld + c0) - m;
          return d * d;
        });
        Store<T, L>(block_mean.data() + b * cols + c0, m);
        Store<T, L>(block_m2.data() + b * cols + c0, m2);
      });
    }
  });
  for (int64_t c = 0; c < cols; ++c) {
    double count = 0, m = 0, m2 = 0;
    for (int64_t b = 0; b < blocks; ++b) {
      const double nb = static_cast<double>(std::min(rows, (b + 1) * block_rows) - b * block_rows);
      const double mb = block_mean[b * cols + c];
      const double delta = mb - m;
      const double total = count + nb;
      m += delta * nb / total;
      m2 += block_m2[b * cols + c] + delta * delta * count * nb / total;
      count = total;
    }
    mean[c] = m;
    variance[c] = m2 / count;
  }
}

template <typename T>
void ColumnGradientSums(int64_t rows, int64_t cols, const T* dy, int64_t dy_ld,
                        const T* x, int64_t x_ld, const T* center,
                        double* sum_dy, double* sum_dy_x_centered) {
  const int64_t block_rows = ReductionBlockRows(rows, kMinColumnBlockRows);
  const int64_t blocks = (rows + block_rows - 1) / block_rows;
  std::vector<T> partial_dy(blocks * cols), partial_dyx(blocks * cols);
  at::parallel_for(0, blocks, GrainFor(2 * block_rows * cols), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      T* const block_dy = partial_dy.data() + b * cols;
      T* const block_dyx = partial_dyx.data() + b * cols;
      // Both sums in one pass over each row block, two chains each.
      ForEachRowBlock(b * block_rows, std::min(rows, (b + 1) * block_rows),
                      [&](int64_t first, int64_t last) {
        ForEachChannelChunk<T>(cols, [&](auto lanes, int64_t c0) {
          constexpr int L = kL<decltype(lanes)>;
          using V = Vec<T, L>;
          const V mu = Load<T, L>(center + c0);
          V s0{}, s1{}, sx0{}, sx1{};
          auto add_row = [&](int64_t r, V& s, V& sx) {
            const V d = Load<T, L>(dy + r * dy_ld + c0);
            s += d;
            sx += d * (Load<T, L>(x + r * x_ld + c0) - mu);
          };
          int64_t r = first;
          for (; r + 2 <= last; r += 2) {
            add_row(r, s0, sx0);
            add_row(r + 1, s1, sx1);
          }
          if (r < last) add_row(r, s0, sx0);
          Store<T, L>(block_dy + c0, Load<T, L>(block_dy + c0) + (s0 + s1));
          Store<T, L>(block_dyx + c0, Load<T, L>(block_dyx + c0) + (sx0 + sx1));
        });
      });
    }
  });
  for (int64_t c = 0; c < cols; ++c) {
    double s = 0, sx = 0;
    for (int64_t b = 0; b < blocks; ++b) {
      s += partial_dy[b * cols + c];
      sx += partial_dyx[b * cols + c];
    }
    sum_dy[c] = s;
    sum_dy_x_centered[c] = sx;
  }
}

template <typename T>
void ColumnCombine(int64_t rows, int64_t cols, const T* u, int64_t u_ld,
                   const T* u_scale, const T* v, int64_t v_ld, const T* v_center,
                   const T* v_scale, const T* shift, T* out, int64_t out_ld) {
  at::parallel_for(0, rows, GrainFor(cols), [&](int64_t begin, int64_t end) {
    ForEachRowBlock(begin, end, [&](int64_t first, int64_t last) {
      ForEachChannelChunk<T>(cols, [&](auto lanes, int64_t c0) {
        constexpr int L = kL<decltype(lanes)>;
        using V = Vec<T, L>;
        const V a = Load<T, L>(u_scale + c0), d = Load<T, L>(shift + c0);
        if (v == nullptr) {
          for (int64_t r = first; r < last; ++r) {
            Store<T, L>(out + r * out_ld + c0, Load<T, L>(u + r * u_ld + c0) * a + d);
          }
          return;
        }
        const V bs = Load<T, L>(v_scale + c0);
        const V center = v_center != nullptr ? Load<T, L>(v_center + c0) : Broadcast<T, L>(T(0));
        for (int64_t r = first; r < last; ++r) {
          Store<T, L>(out + r * out_ld + c0,
                      Load<T, L>(u + r * u_ld + c0) * a +
                          (Load<T, L>(v + r * v_ld + c0) - center) * bs + d);
        }
      });
    });
  });
}

// ---------------------------------------------------------------------------
// Pooling.

// Pooling runs like the depthwise convolution: per image and channel chunk,
// on a bordered copy (-infinity around for max pooling, zeros for average
// pooling, which divides by the taps inside the image).

// The number of window taps inside the image, per output row and column.
std::vector<int64_t> TapsInsideCounts(int64_t out_size, int64_t size, const WindowGeometry& g) {
  std::vector<int64_t> counts(out_size);
  for (int64_t o = 0; o < out_size; ++o) {
    const TapRange taps = TapsInside(o, size, g);
    counts[o] = taps.end - taps.begin;
  }
  return counts;
}

// NaN wins, as in ATen.
template <typename V>
inline auto Beats(V x, V best) {
  return (x > best) | (x != x);
}

// Calls body(Window<3, stride, 1>{}, max) for g's pooling, where max is
// std::true_type for max pooling and std::false_type for average pooling:
// the window and the kind are constants inside the unrolled loops. The
// space pools 3x3 windows with stride 1 or 2.
template <typename Body>
void WithPoolWindow(PoolKind kind, const WindowGeometry& g, Body&& body) {
  TORCH_CHECK(g.kernel == 3 && (g.stride == 1 || g.stride == 2) && g.dilation == 1 &&
                  g.padding < g.kernel,
              "the fast kernels pool 3x3 windows of stride 1 or 2, undilated, padded by less "
              "than 3; not ",
              g.kernel, "x", g.kernel, " stride ", g.stride, " dilation ", g.dilation,
              " padding ", g.padding);
  auto with_kind = [&](auto window) {
    if (kind == PoolKind::kMax) return body(window, std::true_type{});
    body(window, std::false_type{});
  };
  if (g.stride == 1) return with_kind(Window<3, 1, 1>{});
  with_kind(Window<3, 2, 1>{});
}

// kPixels output pixels (y0 / kS, x0 / kS + i) of pooling `padded` with
// window W: the maximum, or the sum times scale[i] (1 / the taps inside
// the image).
template <typename T, int kLanes, typename W, bool kMax, int kPixels>
inline void PoolBlock(const T* padded, int64_t padded_cols, int64_t y0, int64_t x0,
                      const T* scale, T* out, int64_t out_ld) {
  using V = Vec<T, kLanes>;
  V acc[kPixels];
#pragma GCC unroll 16
  for (int i = 0; i < kPixels; ++i) {
    acc[i] = kMax ? Broadcast<T, kLanes>(-std::numeric_limits<T>::infinity()) : V{};
  }
  Unroll<W::kK>([&](auto kh) {
    const T* row = padded + ((y0 + kh) * padded_cols + x0) * kLanes;
    SlideRow<W, kPixels, kLanes>(row, [&](auto i, auto /*kw*/, V x) {
      if constexpr (kMax) {
        acc[i] = Beats(x, acc[i]) ? x : acc[i];
      } else {
        acc[i] += x;
      }
    });
  });
#pragma GCC unroll 16
  for (int i = 0; i < kPixels; ++i) {
    Store<T, kLanes>(out + i * out_ld, kMax ? acc[i] : acc[i] * scale[i]);
  }
}

// Max pooling's choice for kPixels output pixels, as PoolBlock reads
// their windows: the first maximum in scan order (as ATen picks it), its
// tap number kh * kK + kw stored as a T at taps + i * kLanes.
template <typename T, int kLanes, typename W, int kPixels>
inline void ArgmaxBlock(const T* padded, int64_t padded_cols, int64_t y0, int64_t x0,
                        T* taps) {
  using V = Vec<T, kLanes>;
  V best[kPixels], best_tap[kPixels];
#pragma GCC unroll 16
  for (int i = 0; i < kPixels; ++i) {
    best[i] = Broadcast<T, kLanes>(-std::numeric_limits<T>::infinity());
    best_tap[i] = V{};
  }
  Unroll<W::kK>([&](auto kh) {
    const T* row = padded + ((y0 + kh) * padded_cols + x0) * kLanes;
    SlideRow<W, kPixels, kLanes>(row, [&](auto i, auto kw, V x) {
      const auto better = Beats(x, best[i]);
      best[i] = better ? x : best[i];
      best_tap[i] = better ? Broadcast<T, kLanes>(static_cast<T>(kh * W::kK + kw)) : best_tap[i];
    });
  });
#pragma GCC unroll 16
  for (int i = 0; i < kPixels; ++i) Store<T, kLanes>(taps + i * kLanes, best_tap[i]);
}

// The gradient of kPixels input pixels (y, x0 + i) of a stride-1 pooling,
// gathered from the windows that read them: `shares` holds each output
// pixel's gradient (divided by its taps inside, for average pooling) and
// `taps` max pooling's choices, both with output pixel (oy, ox) at (oy +
// kK - 1 - padding, ox + kK - 1 - padding) and zero shares around. Window
// tap (kh, kw) of output (y + padding - kh, x + padding - kw) reads (y, x).
template <typename T, int kLanes, int kK, bool kMax, int kPixels>
inline void PoolGradientBlock(const T* shares, const T* taps, int64_t cols, int64_t y,
                              int64_t x0, T* out, int64_t out_ld, const T* base,
                              int64_t base_ld) {
  using V = Vec<T, kLanes>;
  V acc[kPixels] = {};
  Unroll<kK>([&](auto r) {
    const int64_t first = ((y + r) * cols + x0) * kLanes;
    SlideRow<Window<kK, 1, 1>, kPixels, kLanes>(shares + first, [&](auto i, auto c, V share) {
      if constexpr (kMax) {
        constexpr int kTap = (kK - 1 - decltype(r)::value) * kK + (kK - 1 - decltype(c)::value);
        const V tap = Load<T, kLanes>(taps + first + (i + c) * kLanes);
        acc[i] += tap == Broadcast<T, kLanes>(static_cast<T>(kTap)) ? share : V{};
      } else {
        acc[i] += share;
      }
    });
  });
#pragma GCC unroll 16
  for (int i = 0; i < kPixels; ++i) {
    Store<T, kLanes>(out + i * out_ld, base ? Load<T, kLanes>(base + i * base_ld) + acc[i] : acc[i]);
  }
}

template <typename T>
void PoolForward(PoolKind kind, const WindowGeometry& g, const T* input,
                 int64_t input_ld, T* output, int64_t output_ld) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  const std::vector<int64_t> row_taps = TapsInsideCounts(ho, g.height, g);
  const std::vector<int64_t> col_taps = TapsInsideCounts(wo, g.width, g);
  const int64_t image_work = ho * wo * g.channels * g.kernel * g.kernel;
  WithPoolWindow(kind, g, [&](auto window, auto max) {
    using W = decltype(window);
    constexpr bool kMax = decltype(max)::value;
    const T border = kMax ? -std::numeric_limits<T>::infinity() : T(0);
    at::parallel_for(0, g.batch, GrainFor(image_work), [&](int64_t begin, int64_t end) {
      thread_local std::vector<T> storage;
      // Average pooling's 1 / taps inside, per output pixel of a row.
      std::vector<T> scale(wo);
      for (int64_t n = begin; n < end; ++n) {
        ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
          constexpr int L = kL<decltype(lanes)>;
          const PaddedChunk<T, L> padded(g.height + 2 * g.padding, g.width + 2 * g.padding,
                                         &storage);
          padded.Fill(input + n * g.height * g.width * input_ld, input_ld, g.height, g.width,
                      c0, false, g.padding, g.padding, border);
          for (int64_t oy = 0; oy < ho; ++oy) {
            for (int64_t ox = 0; ox < wo; ++ox) {
              scale[ox] = T(1) / static_cast<T>(row_taps[oy] * col_taps[ox]);
            }
            T* out = output + (n * ho + oy) * wo * output_ld + c0;
            ForEachBlock<kPixelBlock>(wo, [&](auto pixels, int64_t ox) {
              PoolBlock<T, L, W, kMax, decltype(pixels)::value>(
                  padded.data(), padded.cols(), oy * W::kS, ox * W::kS, scale.data() + ox,
                  out + ox * output_ld, output_ld);
            });
          }
        });
      }
    });
  });
}

// Stride 1: each input pixel gathers its gradient from the windows that
// read it. Other strides scatter each output's gradient into its window,
// in a bordered buffer.
template <typename T>
void PoolBackward(PoolKind kind, const WindowGeometry& g, const T* input,
                  int64_t input_ld, const T* grad_output, int64_t grad_ld,
                  T* grad_input, int64_t grad_input_ld, const T* grad_base,
                  int64_t grad_base_ld) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  const std::vector<int64_t> row_taps = TapsInsideCounts(ho, g.height, g);
  const std::vector<int64_t> col_taps = TapsInsideCounts(wo, g.width, g);
  const int64_t image_work = ho * wo * g.channels * g.kernel * g.kernel;
  WithPoolWindow(kind, g, [&](auto window, auto max) {
    using W = decltype(window);
    constexpr int K = W::kK;
    constexpr bool kMax = decltype(max)::value;
    at::parallel_for(0, g.batch, GrainFor(image_work), [&](int64_t begin, int64_t end) {
      thread_local std::vector<T> input_storage, share_storage, tap_storage;
      for (int64_t n = begin; n < end; ++n) {
        const T* grad_image = grad_output + n * ho * wo * grad_ld;
        T* grad_out = grad_input + n * g.height * g.width * grad_input_ld;
        const T* base = grad_base ? grad_base + n * g.height * g.width * grad_base_ld : nullptr;
        ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
          constexpr int L = kL<decltype(lanes)>;
          using V = Vec<T, L>;
          // The input, for max pooling's choices only.
          const PaddedChunk<T, L> padded(kMax ? g.height + 2 * g.padding : 0,
                                         g.width + 2 * g.padding, &input_storage);
          if (kMax) {
            padded.Fill(input + n * g.height * g.width * input_ld, input_ld, g.height,
                        g.width, c0, false, g.padding, g.padding,
                        -std::numeric_limits<T>::infinity());
          }
          if constexpr (W::kS == 1) {
            const int64_t border = K - 1 - g.padding;
            const PaddedChunk<T, L> shares(ho + 2 * border, wo + 2 * border, &share_storage);
            // Max pooling's choices; their border is never read
            // unmasked (the shares there are zero).
            const PaddedChunk<T, L> taps(kMax ? ho + 2 * border : 0, wo + 2 * border,
                                         &tap_storage);
            shares.FillBorder(border, border, ho, wo, T(0));
            for (int64_t oy = 0; oy < ho; ++oy) {
              T* share_row = shares.data() + ((oy + border) * shares.cols() + border) * L;
              for (int64_t ox = 0; ox < wo; ++ox) {
                const V grad = Load<T, L>(grad_image + (oy * wo + ox) * grad_ld + c0);
                Store<T, L>(share_row + ox * L,
                            kMax ? grad
                                 : grad * (T(1) / static_cast<T>(row_taps[oy] * col_taps[ox])));
              }
              if constexpr (kMax) {
                T* tap_row = taps.data() + ((oy + border) * taps.cols() + border) * L;
                ForEachBlock<kPixelBlock>(wo, [&](auto pixels, int64_t ox) {
                  ArgmaxBlock<T, L, W, decltype(pixels)::value>(padded.data(), padded.cols(), oy,
                                                                ox, tap_row + ox * L);
                });
              }
            }
            for (int64_t y = 0; y < g.height; ++y) {
              T* out = grad_out + y * g.width * grad_input_ld + c0;
              const T* base_row = base ? base + y * g.width * grad_base_ld + c0 : nullptr;
              ForEachBlock<kPixelBlock>(g.width, [&](auto pixels, int64_t x) {
                PoolGradientBlock<T, L, K, kMax, decltype(pixels)::value>(
                    shares.data(), taps.data(), shares.cols(), y, x, out + x * grad_input_ld,
                    grad_input_ld, base_row ? base_row + x * grad_base_ld : nullptr,
                    grad_base_ld);
              });
            }
            return;
          }
          const int64_t rows = g.height + 2 * g.padding, cols = g.width + 2 * g.padding;
          const PaddedChunk<T, L> sum(rows, cols, &share_storage);
          sum.Clear();
          for (int64_t oh = 0; oh < ho; ++oh) {
            for (int64_t ow = 0; ow < wo; ++ow) {
              const V grad = Load<T, L>(grad_image + (oh * wo + ow) * grad_ld + c0);
              const int64_t corner = (oh * W::kS * cols + ow * W::kS) * L;
              T* window = sum.data() + corner;
              if constexpr (!kMax) {
                const V share = grad * (T(1) / static_cast<T>(row_taps[oh] * col_taps[ow]));
                Unroll<K * K>([&](auto t) {
                  T* slot = window + (t / K * cols + t % K) * L;
                  Store<T, L>(slot, Load<T, L>(slot) + share);
                });
              } else {
                V chosen;
                ArgmaxBlock<T, L, W, 1>(padded.data(), cols, oh * W::kS, ow * W::kS,
                                        reinterpret_cast<T*>(&chosen));
                Unroll<K * K>([&](auto t) {
                  T* slot = window + (t / K * cols + t % K) * L;
                  const V current = Load<T, L>(slot);
                  Store<T, L>(slot, chosen == Broadcast<T, L>(static_cast<T>(decltype(t)::value))
                                        ? current + grad
                                        : current);
                });
              }
            }
          }
          sum.CopyOut(g.padding, g.padding, g.height, g.width, c0, nullptr, 0, base,
                      grad_base_ld, grad_out, grad_input_ld);
        });
      }
    });
  });
}

// ---------------------------------------------------------------------------
// Strided pixel gathers (the input side of strided 1x1 convolutions).

template <typename T>
void GatherRelu(const WindowGeometry& g, int64_t offset, const T* input,
                int64_t input_ld, T* output, int64_t output_ld) {
  const int64_t ho = GatheredSize(g.height, g.stride, offset);
  const int64_t wo = GatheredSize(g.width, g.stride, offset);
  at::parallel_for(0, g.batch * ho, GrainFor(wo * g.channels), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t n = row / ho, ih = (row % ho) * g.stride + offset;
      const T* in = input + (n * g.height + ih) * g.width * input_ld;
      T* out = output + row * wo * output_ld;
      ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
        constexpr int L = kL<decltype(lanes)>;
        for (int64_t ow = 0; ow < wo; ++ow) {
          Store<T, L>(out + ow * output_ld + c0,
                      Relu(Load<T, L>(in + (ow * g.stride + offset) * input_ld + c0)));
        }
      });
    }
  });
}

template <typename T>
void ScatterReluGradient(const WindowGeometry& g, int64_t offset,
                         const T* grad_output, int64_t grad_ld, const T* input,
                         int64_t input_ld, T* grad_input,
                         int64_t grad_input_ld) {
  const int64_t ho = GatheredSize(g.height, g.stride, offset);
  const int64_t wo = GatheredSize(g.width, g.stride, offset);
  at::parallel_for(0, g.batch * ho, GrainFor(wo * g.channels), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t n = row / ho, ih = (row % ho) * g.stride + offset;
      const int64_t in_row = (n * g.height + ih) * g.width;
      const T* grad = grad_output + row * wo * grad_ld;
      ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
        constexpr int L = kL<decltype(lanes)>;
        for (int64_t ow = 0; ow < wo; ++ow) {
          const int64_t p = in_row + ow * g.stride + offset;
          T* slot = grad_input + p * grad_input_ld + c0;
          Store<T, L>(slot, Load<T, L>(slot) + WherePositive(Load<T, L>(input + p * input_ld + c0),
                                                             Load<T, L>(grad + ow * grad_ld + c0)));
        }
      });
    }
  });
}

template <typename T>
void SumMatrices(int64_t rows, int64_t cols, const T* const* inputs, const int64_t* lds,
                 const T* const* centers, const T* const* scales, const T* shift, int count,
                 T* out, int64_t out_ld) {
  auto entry = [](const T* const* values, int i) {
    return values != nullptr ? values[i] : nullptr;
  };
  at::parallel_for(0, rows, GrainFor(cols * count), [&](int64_t begin, int64_t end) {
    ForEachRowBlock(begin, end, [&](int64_t first, int64_t last) {
      ForEachChannelChunk<T>(cols, [&](auto lanes, int64_t c0) {
        constexpr int L = kL<decltype(lanes)>;
        using V = Vec<T, L>;
        const V offset = shift != nullptr ? Load<T, L>(shift + c0) : Broadcast<T, L>(T(0));
        for (int64_t r = first; r < last; ++r) {
          V sum = offset;
          for (int i = 0; i < count; ++i) {
            V term = Load<T, L>(inputs[i] + r * lds[i] + c0);
            if (const T* center = entry(centers, i)) term -= Load<T, L>(center + c0);
            if (const T* scale = entry(scales, i)) term *= Load<T, L>(scale + c0);
            sum += term;
          }
          Store<T, L>(out + r * out_ld + c0, sum);
        }
      });
    });
  });
}

template <typename T>
CpuKernelTable<T> MakeTable() {
  return {
      MDENAS_SIMD_STRINGIFY(MDENAS_CPU_VARIANT),
      &DepthwiseForward<T>,
      &DepthwiseBackwardInput<T>,
      &DepthwiseBackwardWeight<T>,
      &Gemm<T>,
      &SumInOrder<T>,
      &ColumnMoments<T>,
      &ColumnGradientSums<T>,
      &ColumnCombine<T>,
      &PoolForward<T>,
      &PoolBackward<T>,
      &GatherRelu<T>,
      &ScatterReluGradient<T>,
      &SumMatrices<T>,
  };
}

}  // namespace

template <typename T>
const CpuKernelTable<T>& Table() {
  static const CpuKernelTable<T> table = MakeTable<T>();
  return table;
}

template const CpuKernelTable<float>& Table<float>();
template const CpuKernelTable<double>& Table<double>();

}  // namespace MDENAS_CPU_VARIANT
}  // namespace mdenas
