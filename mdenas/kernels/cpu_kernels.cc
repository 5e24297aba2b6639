#include "mdenas/kernels/cpu_kernels.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include <c10/util/Exception.h>
#include <c10/util/StringUtil.h>

namespace mdenas {

// The variants' tables (cpu_kernels_table.cc, compiled once per variant:
// see BUILD).
namespace avx512 {
template <typename T>
const CpuKernelTable<T>& Table();
}  // namespace avx512
namespace avx2 {
template <typename T>
const CpuKernelTable<T>& Table();
}  // namespace avx2
namespace baseline {
template <typename T>
const CpuKernelTable<T>& Table();
}  // namespace baseline

namespace {

// __builtin_cpu_supports takes string literals only.
bool MachineRunsAvx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

bool MachineRunsAvx2() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

template <typename T>
const CpuKernelTable<T>& TableOf(const std::string& variant) {
  if (variant == "avx512") return avx512::Table<T>();
  if (variant == "avx2") return avx2::Table<T>();
  return baseline::Table<T>();
}

template <typename T>
const CpuKernelTable<T>& ChooseTable() {
  const std::vector<std::string> runnable = CpuKernelVariantsOfThisMachine();
  const char* forced = std::getenv(kCpuKernelsVariable);
  if (forced == nullptr || *forced == '\0') return TableOf<T>(runnable.front());
  TORCH_CHECK(std::find(runnable.begin(), runnable.end(), forced) != runnable.end(), "$",
              kCpuKernelsVariable, "=", forced, ": this machine runs ",
              c10::Join(", ", runnable));
  return TableOf<T>(forced);
}

}  // namespace

std::vector<std::string> CpuKernelVariantsOfThisMachine() {
  __builtin_cpu_init();
  std::vector<std::string> variants;
  if (MachineRunsAvx512()) variants.push_back("avx512");
  if (MachineRunsAvx2()) variants.push_back("avx2");
  variants.push_back("baseline");
  return variants;
}

template <typename T>
const CpuKernelTable<T>& CpuKernels() {
  static const CpuKernelTable<T>& table = ChooseTable<T>();
  return table;
}

template const CpuKernelTable<float>& CpuKernels<float>();
template const CpuKernelTable<double>& CpuKernels<double>();

}  // namespace mdenas
