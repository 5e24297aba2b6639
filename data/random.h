// Counter-based random numbers for the input pipeline. A stream is a pure
// function of (seed, purpose, key): the draws for example i of epoch e are the
// same whichever thread makes them and whatever it made before, so a run
// resumed at epoch e sees what an uninterrupted run saw. Every algorithm is
// written out here (no <random> distributions, whose results differ between
// standard libraries), so the same seed gives the same data everywhere.

#ifndef MDENAS_DATA_RANDOM_H_
#define MDENAS_DATA_RANDOM_H_

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace mdenas {

// What a stream is for, so that one seed gives independent streams to each.
enum class RandomPurpose : uint64_t {
  kSubset = 1,
  kSplit = 2,
  kShuffle = 3,
  kAugment = 4,
  kValidationOrder = 5,
};

// SplitMix64 (Steele, Lea and Flood 2014) started from a hash of the seed,
// the purpose and the key.
class Random {
 public:
  Random(uint64_t seed, RandomPurpose purpose,
         std::initializer_list<uint64_t> key);

  // 64 random bits.
  uint64_t Next();
  // Uniform on [0, n), without bias (Lemire 2019). Requires n >= 1.
  uint64_t Uniform(uint64_t n);
  // Uniform on [low, high), with 53 random bits.
  double UniformReal(double low, double high);
  // True with probability 1/2.
  bool CoinFlip();

 private:
  uint64_t state_;
};

// Shuffles `values` in place (Fisher-Yates).
void Shuffle(Random* random, std::vector<int64_t>* values);

}  // namespace mdenas

#endif  // MDENAS_DATA_RANDOM_H_
