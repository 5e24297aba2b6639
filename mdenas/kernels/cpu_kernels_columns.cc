// The per-column kernels of cpu_kernels.h, batch normalisation's: the
// columns' moments, their gradient sums, and per-column affine maps.
// Compiled once per variant (cpu_kernels_internal.h).

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "mdenas/kernels/cpu_kernels.h"

// Last: the code below it is compiled for the variant's instruction sets.
#include "mdenas/kernels/cpu_kernels_internal.h"

namespace mdenas {
namespace MDENAS_CPU_VARIANT {
namespace {

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
  ForEachRowBlockChunk<T>(
      rows, cols, cols, [&](auto lanes, int64_t c0, int64_t first, int64_t last) {
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
          Store<T, L>(out + r * out_ld + c0, Load<T, L>(u + r * u_ld + c0) * a +
                                                 (Load<T, L>(v + r * v_ld + c0) - center) * bs + d);
        }
      });
}

template <typename T>
void ColumnMapClamped(int64_t rows, int64_t cols, const T* u, int64_t u_ld, const T* scale,
                      const T* shift, T lower, T upper, T* out, int64_t out_ld) {
  ForEachRowBlockChunk<T>(
      rows, cols, cols, [&](auto lanes, int64_t c0, int64_t first, int64_t last) {
        constexpr int L = kL<decltype(lanes)>;
        using V = Vec<T, L>;
        const V a = Load<T, L>(scale + c0), d = Load<T, L>(shift + c0);
        const V low = Broadcast<T, L>(lower), high = Broadcast<T, L>(upper);
        for (int64_t r = first; r < last; ++r) {
          const V y = Load<T, L>(u + r * u_ld + c0) * a + d;
          // NaN stays NaN, as in ATen's clamp: a diverged network must not look
          // finite.
          Store<T, L>(out + r * out_ld + c0, y < low ? low : (y > high ? high : y));
        }
      });
}

}  // namespace

template <typename T>
void SetColumnKernels(CpuKernelTable<T>* table) {
  table->column_moments = &ColumnMoments<T>;
  table->column_gradient_sums = &ColumnGradientSums<T>;
  table->column_combine = &ColumnCombine<T>;
  table->column_map_clamped = &ColumnMapClamped<T>;
}

template void SetColumnKernels<float>(CpuKernelTable<float>* table);
template void SetColumnKernels<double>(CpuKernelTable<double>* table);

}  // namespace MDENAS_CPU_VARIANT
}  // namespace mdenas
