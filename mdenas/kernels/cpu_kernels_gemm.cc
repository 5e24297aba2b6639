// The matrix product of cpu_kernels.h (GemmOperands): register tiles of C,
// the work split along the rows, or along a long reduction into few rows.
// Compiled once per variant (cpu_kernels_internal.h).

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

}  // namespace

template <typename T>
void SetGemmKernel(CpuKernelTable<T>* table) {
  table->gemm = &Gemm<T>;
}

template void SetGemmKernel<float>(CpuKernelTable<float>* table);
template void SetGemmKernel<double>(CpuKernelTable<double>* table);

}  // namespace MDENAS_CPU_VARIANT
}  // namespace mdenas
