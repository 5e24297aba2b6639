// The depthwise convolution kernels of cpu_kernels.h, one image and one
// channel chunk at a time. The chunk is first copied into a zero-bordered
// buffer, so that every window tap lies inside it: the taps unroll (the
// window's shape is a template argument) and a block of output pixels
// accumulates in registers. Compiled once per variant
// (cpu_kernels_internal.h).

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "mdenas/kernels/cpu_kernels.h"

// Last: the code below it is compiled for the variant's instruction sets.
#include "mdenas/kernels/cpu_kernels_internal.h"

namespace mdenas {
namespace MDENAS_CPU_VARIANT {
namespace {

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

// Calls body(Window<...>{}) for g's window, one of those
// DepthwiseKernelsTake().
template <typename Body>
void WithWindow(const WindowGeometry& g, Body&& body) {
  TORCH_CHECK(DepthwiseKernelsTake(g.kernel, g.stride, g.dilation),
              "the fast depthwise kernels take 3x3 and 5x5 windows of stride and dilation 1 or 2 "
              "and 7x7 windows of stride 1 or 2, dilation 1; not ",
              g.kernel, "x", g.kernel, " of stride ", g.stride, ", dilation ", g.dilation);
  auto one_or_two = [](int64_t value, auto&& then) {
    return value == 1 ? then(std::integral_constant<int, 1>{})
                      : then(std::integral_constant<int, 2>{});
  };
  auto with = [&](auto k, auto d) {
    one_or_two(g.stride, [&](auto s) {
      body(Window<decltype(k)::value, decltype(s)::value, decltype(d)::value>{});
    });
  };
  switch (g.kernel) {
    case 3:
      return one_or_two(g.dilation, [&](auto d) { with(std::integral_constant<int, 3>{}, d); });
    case 5:
      return one_or_two(g.dilation, [&](auto d) { with(std::integral_constant<int, 5>{}, d); });
    default:
      return with(std::integral_constant<int, 7>{}, std::integral_constant<int, 1>{});
  }
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

}  // namespace

template <typename T>
void SetDepthwiseKernels(CpuKernelTable<T>* table) {
  table->depthwise_forward = &DepthwiseForward<T>;
  table->depthwise_backward_input = &DepthwiseBackwardInput<T>;
  table->depthwise_backward_weight = &DepthwiseBackwardWeight<T>;
}

template void SetDepthwiseKernels<float>(CpuKernelTable<float>* table);
template void SetDepthwiseKernels<double>(CpuKernelTable<double>* table);

}  // namespace MDENAS_CPU_VARIANT
}  // namespace mdenas
