// The kernels of cpu_kernels.h that visit each element once: the strided
// pixel gathers of strided 1x1 convolutions (with ReLU) and their
// gradient's scatter, and sums of matrices (a cell node's edges, partial
// results in order). Compiled once per variant (cpu_kernels_internal.h).

#include <ATen/Parallel.h>

#include <cstdint>

#include "mdenas/kernels/cpu_kernels.h"

// Last: the code below it is compiled for the variant's instruction sets.
#include "mdenas/kernels/cpu_kernels_internal.h"

namespace mdenas {
namespace MDENAS_CPU_VARIANT {
namespace {

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
  ForEachRowBlockChunk<T>(
      rows, cols, cols * count, [&](auto lanes, int64_t c0, int64_t first, int64_t last) {
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
}

}  // namespace

template <typename T>
void SetElementwiseKernels(CpuKernelTable<T>* table) {
  table->gather_relu = &GatherRelu<T>;
  table->scatter_relu_gradient = &ScatterReluGradient<T>;
  table->sum_matrices = &SumMatrices<T>;
  // The reductions' own (cpu_kernels_internal.h).
  table->sum_in_order = &SumInOrder<T>;
}

template void SetElementwiseKernels<float>(CpuKernelTable<float>* table);
template void SetElementwiseKernels<double>(CpuKernelTable<double>* table);

}  // namespace MDENAS_CPU_VARIANT
}  // namespace mdenas
