// Portable SIMD for the CPU kernels: GCC/Clang vector extensions, which
// compile to AVX-512, AVX2 or SSE instructions as the translation unit's
// target allows, and a walk over a channel count in vector-sized chunks.
// Internal to the kernels.

#ifndef MDENAS_KERNELS_SIMD_H_
#define MDENAS_KERNELS_SIMD_H_

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace mdenas {
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

// The widest vector the kernels use: 64 bytes, one AVX-512 register.
template <typename T>
constexpr int kMaxLanes = 64 / sizeof(T);

template <typename T, int kLanes>
inline Vec<T, kLanes> Load(const T* p) {
  Vec<T, kLanes> v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// The widest vector register of the translation unit's target, in bytes.
#if defined(__AVX512F__)
constexpr int kRegisterBytes = 64;
#elif defined(__AVX__)
constexpr int kRegisterBytes = 32;
#else
constexpr int kRegisterBytes = 16;
#endif

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

template <typename T, int kLanes>
inline Vec<T, kLanes> Broadcast(T value) {
  return Vec<T, kLanes>{} + value;
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

// Calls body(std::integral_constant<int, kLanes>{}, first_channel) for
// chunks that cover channels [0, channels): kMaxLanes at a time, then the
// rest in halving widths down to single channels.
template <typename T, typename Body>
inline void ForEachChannelChunk(int64_t channels, Body&& body) {
  int64_t c = 0;
  for (; c + kMaxLanes<T> <= channels; c += kMaxLanes<T>) {
    body(std::integral_constant<int, kMaxLanes<T>>{}, c);
  }
  if constexpr (kMaxLanes<T> >= 16) {
    if (c + 8 <= channels) body(std::integral_constant<int, 8>{}, c), c += 8;
  }
  if (c + 4 <= channels) body(std::integral_constant<int, 4>{}, c), c += 4;
  if (c + 2 <= channels) body(std::integral_constant<int, 2>{}, c), c += 2;
  if (c < channels) body(std::integral_constant<int, 1>{}, c);
}

}  // namespace simd
}  // namespace mdenas

#endif  // MDENAS_KERNELS_SIMD_H_
