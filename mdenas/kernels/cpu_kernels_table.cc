// The CpuKernelTable of one variant, its entries set by the files of the
// kernels' families. Compiled once per variant (cpu_kernels_internal.h);
// cpu_kernels.cc picks a variant's table at run time.

#include "mdenas/kernels/cpu_kernels.h"

// Last: the code below it is compiled for the variant's instruction sets.
#include "mdenas/kernels/cpu_kernels_internal.h"

namespace mdenas {
namespace MDENAS_CPU_VARIANT {
namespace {

template <typename T>
CpuKernelTable<T> MakeTable() {
  CpuKernelTable<T> table = {};
  table.name = MDENAS_SIMD_STRINGIFY(MDENAS_CPU_VARIANT);
  SetDepthwiseKernels(&table);
  SetGemmKernel(&table);
  SetColumnKernels(&table);
  SetPoolingKernels(&table);
  SetElementwiseKernels(&table);
  return table;
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
