// The pooling kernels of cpu_kernels.h. They run like the depthwise
// convolution (cpu_kernels_depthwise.cc): per image and channel chunk, on a
// bordered copy (-infinity around for max pooling, zeros for average
// pooling, which divides by the taps inside the image). Compiled once per
// variant (cpu_kernels_internal.h).

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "mdenas/kernels/cpu_kernels.h"

// Last: the code below it is compiled for the variant's instruction sets.
#include "mdenas/kernels/cpu_kernels_internal.h"

namespace mdenas {
namespace MDENAS_CPU_VARIANT {
namespace {

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

}  // namespace

template <typename T>
void SetPoolingKernels(CpuKernelTable<T>* table) {
  table->pool_forward = &PoolForward<T>;
  table->pool_backward = &PoolBackward<T>;
}

template void SetPoolingKernels<float>(CpuKernelTable<float>* table);
template void SetPoolingKernels<double>(CpuKernelTable<double>* table);

}  // namespace MDENAS_CPU_VARIANT
}  // namespace mdenas
