// Portable SIMD for the CPU kernels: GCC vector extensions, which
// compile to AVX-512, AVX2 or SSE instructions as the variant's target
// allows, and a walk over a channel count in register-sized chunks.
// Internal to the kernels: cpu_kernels_internal.h, whose includers are
// compiled once per variant (-DMDENAS_CPU_VARIANT=<name>), is its only
// includer.

#ifndef MDENAS_KERNELS_SIMD_H_
#define MDENAS_KERNELS_SIMD_H_

#include <cstdint>
#include <cstring>
#include <type_traits>

#ifndef MDENAS_CPU_VARIANT
#error "build with -DMDENAS_CPU_VARIANT=<variant>"
#endif
// Clang ignores #pragma GCC target (below): every variant would be
// compiled for the baseline, silently.
#if defined(__clang__) || !defined(__GNUC__)
#error "the CPU kernels' instruction-set variants need GCC"
#endif

// Each variant's instruction sets, as GCC target options, its widest
// vector register in bytes and how many such registers it has.
#define MDENAS_SIMD_TARGET_avx512 \
  "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,prefer-vector-width=512"
#define MDENAS_SIMD_REGISTER_BYTES_avx512 64
#define MDENAS_SIMD_REGISTERS_avx512 32
#define MDENAS_SIMD_TARGET_avx2 "avx2,fma"
#define MDENAS_SIMD_REGISTER_BYTES_avx2 32
#define MDENAS_SIMD_REGISTERS_avx2 16
#define MDENAS_SIMD_TARGET_baseline "sse2"
#define MDENAS_SIMD_REGISTER_BYTES_baseline 16
#define MDENAS_SIMD_REGISTERS_baseline 16

#define MDENAS_SIMD_CAT_(a, b) a##b
#define MDENAS_SIMD_CAT(a, b) MDENAS_SIMD_CAT_(a, b)
#define MDENAS_SIMD_STRINGIFY_(x) #x
#define MDENAS_SIMD_STRINGIFY(x) MDENAS_SIMD_STRINGIFY_(x)

// The rest of the translation unit, from here, is compiled for the
// variant's instruction sets; so this header comes after every other. The
// code of the library headers before it stays compiled for the x86-64
// baseline in every variant: the linker keeps one copy of each inline or
// template function the variants both emit (std::vector<float>::resize,
// c10::str, ...), whichever it meets first, and an AVX-512 copy would stop
// a machine without AVX-512 with an illegal instruction.
_Pragma(MDENAS_SIMD_STRINGIFY(
    GCC target(MDENAS_SIMD_CAT(MDENAS_SIMD_TARGET_, MDENAS_CPU_VARIANT))))

namespace mdenas {
// In the variant's namespace, for the same reason: an out-of-line copy
// (Store<float, 16> under a sanitizer) takes its vectors in registers as
// wide as its variant's, so the variants' copies must not be merged.
namespace MDENAS_CPU_VARIANT {
namespace simd {

template <typename T, int kLanes>
struct VecType {
  typedef T type __attribute__((vector_size(kLanes * sizeof(T))));
};
template <typename T>
struct VecType<T, 1> {
  using type = T;
};

// kLanes values of T; a plain T when kLanes is 1.
template <typename T, int kLanes>
using Vec = typename VecType<T, kLanes>::type;

template <typename T, int kLanes>
inline Vec<T, kLanes> Load(const T* p) {
  Vec<T, kLanes> v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// The widest vector register of the variant, in bytes, and how many of
// them there are: what a register tile of accumulators must fit.
constexpr int kRegisterBytes = MDENAS_SIMD_CAT(MDENAS_SIMD_REGISTER_BYTES_, MDENAS_CPU_VARIANT);
constexpr int kRegisters = MDENAS_SIMD_CAT(MDENAS_SIMD_REGISTERS_, MDENAS_CPU_VARIANT);

// The widest vector the kernels use: one register. (A wider one is split
// into several registers, and a register tile of them spills.)
template <typename T>
constexpr int kMaxLanes = kRegisterBytes / sizeof(T);

// `v`, held in a register: for a vector loaded once to serve several
// multiply-adds. Left alone, the compiler folds the load back into each of
// them as a memory operand (with AVX, which does not need aligned
// operands), one load per use again. The empty asm hides where v came
// from; a vector wider than a register is left to the compiler.
template <typename V>
inline V InRegister(V v) {
#if defined(__x86_64__)
  if constexpr (sizeof(V) <= kRegisterBytes) asm("" : "+v"(v));
#endif
  return v;
}

template <typename T, int kLanes>
inline void Store(T* p, Vec<T, kLanes> v) {
  std::memcpy(p, &v, sizeof(v));
}

// `value` in every lane: one broadcast instruction. (value - 0 is value for
// every value, so the compiler drops the subtraction; 0 + value is not, for
// value = -0, and costs an addition before each broadcast.)
template <typename T, int kLanes>
inline Vec<T, kLanes> Broadcast(T value) {
  return value - Vec<T, kLanes>{};
}

template <typename V>
inline V Max(V a, V b) {
  return a > b ? a : b;
}

template <typename V>
inline V Relu(V v) {
  return Max(v, V{});
}

// `value` where `sign` > 0, else 0: ReLU's gradient mask.
template <typename V>
inline V WherePositive(V sign, V value) {
  return sign > V{} ? value : V{};
}

// Calls body(std::integral_constant<int, n>{}, first) for blocks [first,
// first + n) that cover [first, count): kBlock items at a time, then the
// rest in halving widths down to single items.
template <int kBlock, typename Body>
inline void ForEachBlock(int64_t count, Body&& body, int64_t first = 0) {
  for (; first + kBlock <= count; first += kBlock) {
    body(std::integral_constant<int, kBlock>{}, first);
  }
  if constexpr (kBlock > 1) ForEachBlock<kBlock / 2>(count, body, first);
}

// Calls body(std::integral_constant<int, kLanes>{}, first_channel) for
// chunks that cover channels [0, channels): kMaxLanes at a time, then the
// rest in halving widths down to single channels.
template <typename T, typename Body>
inline void ForEachChannelChunk(int64_t channels, Body&& body) {
  ForEachBlock<kMaxLanes<T>>(channels, body);
}

}  // namespace simd
}  // namespace MDENAS_CPU_VARIANT
}  // namespace mdenas

#endif  // MDENAS_KERNELS_SIMD_H_
