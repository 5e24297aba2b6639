#include "mdenas/kernels/cpu_kernels.h"

#include <cstdlib>
#include <string>

#include <c10/util/Exception.h>

namespace mdenas {

// The variants of cpu_kernels_impl.cc (see BUILD).
namespace avx512 {
template <typename T>
const CpuKernelTable<T>& Table();
}  // namespace avx512
namespace baseline {
template <typename T>
const CpuKernelTable<T>& Table();
}  // namespace baseline

namespace {

bool MachineRunsAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512dq");
}

template <typename T>
const CpuKernelTable<T>& ChooseTable() {
  const char* forced = std::getenv(kCpuKernelsVariable);
  const std::string variant = forced == nullptr ? "" : forced;
  if (variant == "baseline") return baseline::Table<T>();
  const bool avx512 = MachineRunsAvx512();
  TORCH_CHECK(variant.empty() || (variant == "avx512" && avx512), "$",
              kCpuKernelsVariable, "=", variant, ": this machine runs ",
              avx512 ? "avx512 or baseline" : "baseline only");
  return avx512 ? avx512::Table<T>() : baseline::Table<T>();
}

}  // namespace

template <typename T>
const CpuKernelTable<T>& CpuKernels() {
  static const CpuKernelTable<T>& table = ChooseTable<T>();
  return table;
}

template const CpuKernelTable<float>& CpuKernels<float>();
template const CpuKernelTable<double>& CpuKernels<double>();

}  // namespace mdenas
