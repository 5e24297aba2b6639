#include "data/random.h"

#include <cstddef>
#include <utility>

namespace mdenas {
namespace {

constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// SplitMix64's output function, a bijection on 64-bit words.
uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Random::Random(uint64_t seed, RandomPurpose purpose,
               std::initializer_list<uint64_t> key)
    : state_(Mix(seed + kGoldenGamma)) {
  // Each word goes through the bijection Mix, so keys that differ in any word
  // start streams from different states.
  state_ = Mix(state_ + kGoldenGamma + static_cast<uint64_t>(purpose));
  for (const uint64_t word : key) state_ = Mix(state_ + kGoldenGamma + word);
}

uint64_t Random::Next() {
  state_ += kGoldenGamma;
  return Mix(state_);
}

uint64_t Random::Uniform(uint64_t n) {
  unsigned __int128 product = static_cast<unsigned __int128>(Next()) * n;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(Next()) * n;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

double Random::UniformReal(double low, double high) {
  const double unit = static_cast<double>(Next() >> 11) * 0x1.0p-53;
  return low + (high - low) * unit;
}

bool Random::CoinFlip() { return (Next() >> 63) != 0; }

void Shuffle(Random* random, std::vector<int64_t>* values) {
  for (size_t i = values->size(); i > 1; --i) {
    std::swap((*values)[i - 1], (*values)[random->Uniform(i)]);
  }
}

}  // namespace mdenas
