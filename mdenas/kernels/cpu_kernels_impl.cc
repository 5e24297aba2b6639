// The CPU kernels of cpu_kernels.h. This file is compiled once per
// instruction-set variant (BUILD: cpu_kernels_avx512, cpu_kernels_baseline),
// each time into namespace mdenas::MDENAS_CPU_VARIANT; cpu_kernels.cc picks
// a variant at run time.
//
// Loops run over pixels with a channel chunk (one SIMD vector, simd.h)
// innermost: in channels-last layout a pixel's channels are contiguous, so
// every window tap is one vector load whatever the stride or dilation.

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "mdenas/kernels/cpu_kernels.h"
#include "mdenas/kernels/simd.h"

#ifndef MDENAS_CPU_VARIANT
#error "build with -DMDENAS_CPU_VARIANT=<namespace>"
#endif
#define MDENAS_STRINGIFY_(x) #x
#define MDENAS_STRINGIFY(x) MDENAS_STRINGIFY_(x)

namespace mdenas {
namespace MDENAS_CPU_VARIANT {
namespace {

using simd::Broadcast;
using simd::ForEachChannelChunk;
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

// Rows of a reduction are summed in at most 64 fixed blocks, each block on
// one thread, and the blocks in order: the same result for any thread count.
int64_t ReductionBlockRows(int64_t rows) {
  constexpr int64_t kMaxBlocks = 64;
  return std::max<int64_t>(1, (rows + kMaxBlocks - 1) / kMaxBlocks);
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
  at::parallel_for(0, size, GrainFor(blocks), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T sum = 0;
      for (int64_t b = 0; b < blocks; ++b) sum += partials[b * size + i];
      out[i] = sum;
    }
  });
}

// ---------------------------------------------------------------------------
// Depthwise convolution, one image and one channel chunk at a time. The
// chunk is first copied into a zero-bordered buffer, so that every window
// tap lies inside it: the taps unroll (the kernel size is a template
// argument) and a block of output pixels accumulates in registers.

// Output pixels computed together, each in its own accumulator: enough
// independent multiply-add chains to hide their latency.
constexpr int kPixelBlock = 8;

// A channel chunk of an image inside a zero border: element (y, x) at
// data + (y * cols + x) * kLanes.
template <typename T, int kLanes>
struct PaddedChunk {
  std::vector<T> data;
  int64_t rows = 0;
  int64_t cols = 0;

  // Channels [c0, c0 + kLanes) of `image` (height x width pixels, row
  // stride ld) with its pixel (0, 0) at (top, left), ReLU applied when
  // `relu`; `rows` x `cols` in all.
  void Fill(const T* image, int64_t ld, int64_t height, int64_t width,
            int64_t c0, bool relu, int64_t top, int64_t left) {
    using V = Vec<T, kLanes>;
    data.resize(rows * cols * kLanes);
    T* d = data.data();
    std::fill(d, d + top * cols * kLanes, T(0));
    for (int64_t y = 0; y < height; ++y) {
      T* row = d + (top + y) * cols * kLanes;
      std::fill(row, row + left * kLanes, T(0));
      const T* in = image + y * width * ld + c0;
      for (int64_t x = 0; x < width; ++x) {
        const V v = Load<T, kLanes>(in + x * ld);
        Store<T, kLanes>(row + (left + x) * kLanes, relu ? Relu(v) : v);
      }
      std::fill(row + (left + width) * kLanes, row + cols * kLanes, T(0));
    }
    std::fill(d + (top + height) * cols * kLanes, d + rows * cols * kLanes, T(0));
  }
};

// kPixels output pixels (oy, x0 / stride + i) of a correlation of `padded`
// with the kK x kK taps `w`: out = sum over taps of padded(y0 + kh *
// dilation, x0 + i * stride + kw * dilation) * w[kh * kK + kw]. Where
// `mask` is given the result passes through ReLU's gradient: zero where
// mask <= 0.
template <typename T, int kLanes, int kK, int kPixels>
inline void CorrelateBlock(const T* padded, int64_t padded_cols, int64_t y0,
                           int64_t x0, int64_t stride, int64_t dilation,
                           const Vec<T, kLanes>* w, T* out, int64_t out_ld,
                           const T* mask, int64_t mask_ld) {
  using V = Vec<T, kLanes>;
  V acc[kPixels] = {};
#pragma GCC unroll 5
  for (int kh = 0; kh < kK; ++kh) {
    const T* row = padded + ((y0 + kh * dilation) * padded_cols + x0) * kLanes;
#pragma GCC unroll 5
    for (int kw = 0; kw < kK; ++kw) {
      const V wk = w[kh * kK + kw];
      const T* tap = row + kw * dilation * kLanes;
#pragma GCC unroll 8
      for (int i = 0; i < kPixels; ++i) acc[i] += Load<T, kLanes>(tap + i * stride * kLanes) * wk;
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < kPixels; ++i) {
    const V r = mask == nullptr ? acc[i] : WherePositive(Load<T, kLanes>(mask + i * mask_ld), acc[i]);
    Store<T, kLanes>(out + i * out_ld, r);
  }
}

// All out_rows x out_cols pixels of the correlation, written at
// out + (oy * out_cols + ox) * out_ld.
template <typename T, int kLanes, int kK>
void Correlate(const PaddedChunk<T, kLanes>& padded, int64_t stride,
               int64_t dilation, const Vec<T, kLanes>* w, int64_t out_rows,
               int64_t out_cols, T* out, int64_t out_ld, const T* mask,
               int64_t mask_ld) {
  for (int64_t oy = 0; oy < out_rows; ++oy) {
    const int64_t first = oy * out_cols;
    int64_t ox = 0;
    for (; ox + kPixelBlock <= out_cols; ox += kPixelBlock) {
      CorrelateBlock<T, kLanes, kK, kPixelBlock>(
          padded.data.data(), padded.cols, oy * stride, ox * stride, stride, dilation, w,
          out + (first + ox) * out_ld, out_ld, mask ? mask + (first + ox) * mask_ld : nullptr,
          mask_ld);
    }
    for (; ox < out_cols; ++ox) {
      CorrelateBlock<T, kLanes, kK, 1>(
          padded.data.data(), padded.cols, oy * stride, ox * stride, stride, dilation, w,
          out + (first + ox) * out_ld, out_ld, mask ? mask + (first + ox) * mask_ld : nullptr,
          mask_ld);
    }
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

template <typename T>
void DepthwiseForward(const WindowGeometry& g, const T* input, int64_t input_ld,
                      bool relu_input, const T* weight, T* output,
                      int64_t output_ld) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  const int64_t image_work = ho * wo * g.channels * g.kernel * g.kernel;
  WithKernelSize(g.kernel, [&](auto k) {
    constexpr int K = decltype(k)::value;
    at::parallel_for(0, g.batch, GrainFor(image_work), [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n) {
        ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
          constexpr int L = kL<decltype(lanes)>;
          using V = Vec<T, L>;
          PaddedChunk<T, L> padded;
          padded.rows = g.height + 2 * g.padding;
          padded.cols = g.width + 2 * g.padding;
          padded.Fill(input + n * g.height * g.width * input_ld, input_ld, g.height, g.width, c0,
                      relu_input, g.padding, g.padding);
          V w[K * K];
          for (int t = 0; t < K * K; ++t) w[t] = Load<T, L>(weight + t * g.channels + c0);
          Correlate<T, L, K>(padded, g.stride, g.dilation, w, ho, wo,
                             output + n * ho * wo * output_ld + c0, output_ld, nullptr, 0);
        });
      }
    });
  });
}

template <typename T>
void DepthwiseBackwardInput(const WindowGeometry& g, const T* grad_output,
                            int64_t grad_ld, const T* weight,
                            const T* relu_input, int64_t relu_input_ld,
                            T* grad_input, int64_t grad_input_ld) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  const int64_t span = (g.kernel - 1) * g.dilation;
  const int64_t image_work = ho * wo * g.channels * g.kernel * g.kernel;
  WithKernelSize(g.kernel, [&](auto k) {
    constexpr int K = decltype(k)::value;
    at::parallel_for(0, g.batch, GrainFor(image_work), [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n) {
        const T* grad_image = grad_output + n * ho * wo * grad_ld;
        T* out = grad_input + n * g.height * g.width * grad_input_ld;
        const T* mask = relu_input ? relu_input + n * g.height * g.width * relu_input_ld : nullptr;
        ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
          constexpr int L = kL<decltype(lanes)>;
          using V = Vec<T, L>;
          PaddedChunk<T, L> padded;
          if (g.stride == 1 && g.padding <= span) {
            // A correlation of the padded output gradient with the flipped
            // window.
            V w[K * K];
            for (int t = 0; t < K * K; ++t) {
              w[t] = Load<T, L>(weight + (K * K - 1 - t) * g.channels + c0);
            }
            padded.rows = g.height + span;
            padded.cols = g.width + span;
            padded.Fill(grad_image, grad_ld, ho, wo, c0, false, span - g.padding,
                        span - g.padding);
            Correlate<T, L, K>(padded, 1, g.dilation, w, g.height, g.width, out + c0,
                               grad_input_ld, mask ? mask + c0 : nullptr, relu_input_ld);
            return;
          }
          // Strided: scatter every output gradient into its window, inside
          // a zero-bordered input-sized buffer.
          padded.rows = g.height + 2 * g.padding;
          padded.cols = g.width + 2 * g.padding;
          padded.data.assign(padded.rows * padded.cols * L, T(0));
          T* sum = padded.data.data();
          for (int64_t oh = 0; oh < ho; ++oh) {
            for (int64_t ow = 0; ow < wo; ++ow) {
              const V grad = Load<T, L>(grad_image + (oh * wo + ow) * grad_ld + c0);
              T* window = sum + (oh * g.stride * padded.cols + ow * g.stride) * L;
#pragma GCC unroll 5
              for (int kh = 0; kh < K; ++kh) {
#pragma GCC unroll 5
                for (int kw = 0; kw < K; ++kw) {
                  T* slot = window + (kh * padded.cols + kw) * g.dilation * L;
                  Store<T, L>(slot, Load<T, L>(slot) +
                                        grad * Load<T, L>(weight + (kh * K + kw) * g.channels + c0));
                }
              }
            }
          }
          for (int64_t ih = 0; ih < g.height; ++ih) {
            for (int64_t iw = 0; iw < g.width; ++iw) {
              V v = Load<T, L>(sum + ((ih + g.padding) * padded.cols + iw + g.padding) * L);
              const int64_t p = ih * g.width + iw;
              if (mask) v = WherePositive(Load<T, L>(mask + p * relu_input_ld + c0), v);
              Store<T, L>(out + p * grad_input_ld + c0, v);
            }
          }
        });
      }
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
  WithKernelSize(g.kernel, [&](auto k) {
    constexpr int K = decltype(k)::value;
    ReduceRowBlocks<T>(
        g.batch, ReductionBlockRows(g.batch), K * K * g.channels, image_work, grad_weight,
        [&](int64_t first, int64_t last, T* partial) {
          for (int64_t n = first; n < last; ++n) {
            ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
              constexpr int L = kL<decltype(lanes)>;
              using V = Vec<T, L>;
              PaddedChunk<T, L> padded;
              padded.rows = g.height + 2 * g.padding;
              padded.cols = g.width + 2 * g.padding;
              padded.Fill(input + n * g.height * g.width * input_ld, input_ld, g.height, g.width,
                          c0, relu_input, g.padding, g.padding);
              const T* grad_image = grad_output + n * ho * wo * grad_ld + c0;
              // One accumulator per tap.
              V acc[K * K] = {};
              for (int64_t oh = 0; oh < ho; ++oh) {
                for (int64_t ow = 0; ow < wo; ++ow) {
                  const V grad = Load<T, L>(grad_image + (oh * wo + ow) * grad_ld);
                  const T* window =
                      padded.data.data() + (oh * g.stride * padded.cols + ow * g.stride) * L;
#pragma GCC unroll 5
                  for (int kh = 0; kh < K; ++kh) {
#pragma GCC unroll 5
                    for (int kw = 0; kw < K; ++kw) {
                      acc[kh * K + kw] +=
                          grad * Load<T, L>(window + (kh * padded.cols + kw) * g.dilation * L);
                    }
                  }
                }
              }
              for (int t = 0; t < K * K; ++t) {
                T* slot = partial + t * g.channels + c0;
                Store<T, L>(slot, Load<T, L>(slot) + acc[t]);
              }
            });
          }
        });
  });
}

// ---------------------------------------------------------------------------
// Matrix product.

// Rows of A per register tile: with one vector of C per row, 12
// accumulators, one B vector and broadcasts fit the 16 registers of AVX2
// and leave room in the 32 of AVX-512.
constexpr int kTileRows = 12;

// c[r][0:L] = sum_k A(r, k) * b[k][0:L] for r < kRows.
template <typename T, int L, int kRows>
inline void GemmTile(int64_t depth, const T* a, int64_t a_row_stride,
                     int64_t a_depth_stride, const T* b, int64_t ldb, T* c,
                     int64_t ldc) {
  using V = Vec<T, L>;
  V acc[kRows] = {};
  for (int64_t k = 0; k < depth; ++k) {
    const V bk = Load<T, L>(b + k * ldb);
    const T* ak = a + k * a_depth_stride;
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) acc[r] += bk * ak[r * a_row_stride];
  }
#pragma GCC unroll 12
  for (int r = 0; r < kRows; ++r) Store<T, L>(c + r * ldc, acc[r]);
}

// Rows [row_begin, row_end) of the product, all columns.
template <typename T>
void GemmRows(int64_t row_begin, int64_t row_end, int64_t n, int64_t depth,
              const T* a, int64_t a_row_stride, int64_t a_depth_stride,
              const T* b, int64_t ldb, T* c, int64_t ldc) {
  ForEachChannelChunk<T>(n, [&](auto lanes, int64_t c0) {
    constexpr int L = kL<decltype(lanes)>;
    int64_t r = row_begin;
    for (; r + kTileRows <= row_end; r += kTileRows) {
      GemmTile<T, L, kTileRows>(depth, a + r * a_row_stride, a_row_stride,
                                a_depth_stride, b + c0, ldb, c + r * ldc + c0, ldc);
    }
    for (; r < row_end; ++r) {
      GemmTile<T, L, 1>(depth, a + r * a_row_stride, a_row_stride,
                        a_depth_stride, b + c0, ldb, c + r * ldc + c0, ldc);
    }
  });
}

template <typename T>
void Gemm(int64_t m, int64_t n, int64_t depth, const T* a, int64_t a_row_stride,
          int64_t a_depth_stride, const T* b, int64_t ldb, T* c, int64_t ldc) {
  // A long reduction into few rows (a weight gradient, summed over pixels)
  // is split along the reduction; anything else along the rows.
  constexpr int64_t kSplitDepth = 2048;
  if (depth >= kSplitDepth && m < 4 * kTileRows) {
    const int64_t block = ReductionBlockRows(depth);
    std::vector<T> sum(m * n);
    ReduceRowBlocks<T>(depth, block, m * n, m * n, sum.data(),
                       [&](int64_t first, int64_t last, T* partial) {
                         GemmRows<T>(0, m, n, last - first, a + first * a_depth_stride,
                                     a_row_stride, a_depth_stride, b + first * ldb,
                                     ldb, partial, n);
                       });
    for (int64_t i = 0; i < m; ++i) {
      std::copy(sum.data() + i * n, sum.data() + (i + 1) * n, c + i * ldc);
    }
    return;
  }
  const int64_t tiles = (m + kTileRows - 1) / kTileRows;
  at::parallel_for(0, tiles, GrainFor(kTileRows * n * depth), [&](int64_t begin, int64_t end) {
    GemmRows<T>(begin * kTileRows, std::min(m, end * kTileRows), n, depth, a,
                a_row_stride, a_depth_stride, b, ldb, c, ldc);
  });
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
  const int64_t block_rows = ReductionBlockRows(rows);
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
  const int64_t block_rows = ReductionBlockRows(rows);
  const int64_t blocks = (rows + block_rows - 1) / block_rows;
  std::vector<T> partial_dy(blocks * cols), partial_dyx(blocks * cols);
  at::parallel_for(0, blocks, GrainFor(2 * block_rows * cols), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const int64_t first = b * block_rows, last = std::min(rows, first + block_rows);
      ForEachChannelChunk<T>(cols, [&](auto lanes, int64_t c0) {
        constexpr int L = kL<decltype(lanes)>;
        using V = Vec<T, L>;
        const V mu = Load<T, L>(center + c0);
        const V s = SumRows<V>(first, last, [&](int64_t r) {
          return Load<T, L>(dy + r * dy_ld + c0);
        });
        const V sx = SumRows<V>(first, last, [&](int64_t r) {
          return Load<T, L>(dy + r * dy_ld + c0) * (Load<T, L>(x + r * x_ld + c0) - mu);
        });
        Store<T, L>(partial_dy.data() + b * cols + c0, s);
        Store<T, L>(partial_dyx.data() + b * cols + c0, sx);
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
                   const T* u_scale, const T* v, int64_t v_ld,
                   const T* v_scale, const T* shift, T* out, int64_t out_ld) {
  at::parallel_for(0, rows, GrainFor(cols), [&](int64_t begin, int64_t end) {
    ForEachChannelChunk<T>(cols, [&](auto lanes, int64_t c0) {
      constexpr int L = kL<decltype(lanes)>;
      using V = Vec<T, L>;
      const V a = Load<T, L>(u_scale + c0), d = Load<T, L>(shift + c0);
      if (v == nullptr) {
        for (int64_t r = begin; r < end; ++r) {
          Store<T, L>(out + r * out_ld + c0, Load<T, L>(u + r * u_ld + c0) * a + d);
        }
        return;
      }
      const V bs = Load<T, L>(v_scale + c0);
      for (int64_t r = begin; r < end; ++r) {
        Store<T, L>(out + r * out_ld + c0, Load<T, L>(u + r * u_ld + c0) * a +
                                               Load<T, L>(v + r * v_ld + c0) * bs + d);
      }
    });
  });
}

// ---------------------------------------------------------------------------
// Pooling.

template <typename T>
void PoolForward(PoolKind kind, const WindowGeometry& g, const T* input,
                 int64_t input_ld, T* output, int64_t output_ld) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  std::vector<TapRange> columns(wo);
  for (int64_t ow = 0; ow < wo; ++ow) columns[ow] = TapsInside(ow, g.width, g);
  const int64_t row_work = wo * g.channels * g.kernel * g.kernel;
  at::parallel_for(0, g.batch * ho, GrainFor(row_work), [&](int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const TapRange rows = TapsInside(row % ho, g.height, g);
      const T* image = input + (row / ho) * g.height * g.width * input_ld;
      T* out = output + row * wo * output_ld;
      ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
        constexpr int L = kL<decltype(lanes)>;
        using V = Vec<T, L>;
        for (int64_t ow = 0; ow < wo; ++ow) {
          const TapRange& cols = columns[ow];
          V acc = kind == PoolKind::kMax
                      ? Broadcast<T, L>(-std::numeric_limits<T>::infinity())
                      : V{};
          for (int64_t kh = rows.begin; kh < rows.end; ++kh) {
            const T* in_row = image + (rows.first + kh) * g.width * input_ld;
            for (int64_t kw = cols.begin; kw < cols.end; ++kw) {
              const V x = Load<T, L>(in_row + (cols.first + kw) * input_ld + c0);
              if (kind == PoolKind::kMax) {
                // NaN propagates, as in ATen.
                acc = (x > acc) | (x != x) ? x : acc;
              } else {
                acc += x;
              }
            }
          }
          if (kind == PoolKind::kAverage) {
            acc *= T(1) / static_cast<T>((rows.end - rows.begin) * (cols.end - cols.begin));
          }
          Store<T, L>(out + ow * output_ld + c0, acc);
        }
      });
    }
  });
}

template <typename T>
void PoolBackward(PoolKind kind, const WindowGeometry& g, const T* input,
                  int64_t input_ld, const T* grad_output, int64_t grad_ld,
                  T* grad_input, int64_t grad_input_ld) {
  const int64_t ho = g.out_height(), wo = g.out_width();
  std::vector<TapRange> columns(wo);
  for (int64_t ow = 0; ow < wo; ++ow) columns[ow] = TapsInside(ow, g.width, g);
  const int64_t image_work = ho * wo * g.channels * g.kernel * g.kernel;
  // Windows overlap, so gradients are scattered image by image, one image
  // per task.
  at::parallel_for(0, g.batch, GrainFor(image_work), [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const T* image = input + n * g.height * g.width * input_ld;
      T* grad_image = grad_input + n * g.height * g.width * grad_input_ld;
      for (int64_t p = 0; p < g.height * g.width; ++p) {
        std::fill(grad_image + p * grad_input_ld, grad_image + p * grad_input_ld + g.channels, T(0));
      }
      for (int64_t oh = 0; oh < ho; ++oh) {
        const TapRange rows = TapsInside(oh, g.height, g);
        ForEachChannelChunk<T>(g.channels, [&](auto lanes, int64_t c0) {
          constexpr int L = kL<decltype(lanes)>;
          using V = Vec<T, L>;
          for (int64_t ow = 0; ow < wo; ++ow) {
            const TapRange& cols = columns[ow];
            const V grad = Load<T, L>(grad_output + ((n * ho + oh) * wo + ow) * grad_ld + c0);
            auto pixel = [&](int64_t kh, int64_t kw) {
              return ((rows.first + kh) * g.width + cols.first + kw);
            };
            if (kind == PoolKind::kAverage) {
              const V share = grad * (T(1) / static_cast<T>((rows.end - rows.begin) *
                                                             (cols.end - cols.begin)));
              for (int64_t kh = rows.begin; kh < rows.end; ++kh) {
                for (int64_t kw = cols.begin; kw < cols.end; ++kw) {
                  T* slot = grad_image + pixel(kh, kw) * grad_input_ld + c0;
                  Store<T, L>(slot, Load<T, L>(slot) + share);
                }
              }
              continue;
            }
            // The first maximum in scan order, per channel, as ATen picks it.
            V best = Broadcast<T, L>(-std::numeric_limits<T>::infinity());
            V best_tap = Broadcast<T, L>(T(-1));
            for (int64_t kh = rows.begin; kh < rows.end; ++kh) {
              for (int64_t kw = cols.begin; kw < cols.end; ++kw) {
                const V x = Load<T, L>(image + pixel(kh, kw) * input_ld + c0);
                const auto better = (x > best) | (x != x);
                best = better ? x : best;
                best_tap = better ? Broadcast<T, L>(static_cast<T>(kh * g.kernel + kw)) : best_tap;
              }
            }
            for (int64_t kh = rows.begin; kh < rows.end; ++kh) {
              for (int64_t kw = cols.begin; kw < cols.end; ++kw) {
                const V tap = Broadcast<T, L>(static_cast<T>(kh * g.kernel + kw));
                T* slot = grad_image + pixel(kh, kw) * grad_input_ld + c0;
                const V current = Load<T, L>(slot);
                Store<T, L>(slot, best_tap == tap ? current + grad : current);
              }
            }
          }
        });
      }
    }
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
          Store<T, L>(grad_input + p * grad_input_ld + c0,
                      WherePositive(Load<T, L>(input + p * input_ld + c0),
                                    Load<T, L>(grad + ow * grad_ld + c0)));
        }
      });
    }
  });
}

template <typename T>
CpuKernelTable<T> MakeTable() {
  return {
      MDENAS_STRINGIFY(MDENAS_CPU_VARIANT),
      &DepthwiseForward<T>,
      &DepthwiseBackwardInput<T>,
      &DepthwiseBackwardWeight<T>,
      &Gemm<T>,
      &ColumnMoments<T>,
      &ColumnGradientSums<T>,
      &ColumnCombine<T>,
      &PoolForward<T>,
      &PoolBackward<T>,
      &GatherRelu<T>,
      &ScatterReluGradient<T>,
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
