// Which images of a data set a job uses, as lists of indices into an
// ImageSource: a seeded subset of the training part for quick runs, and the
// seeded train/validation split of it on which a search trains weights and
// measures accuracy. The test part stays apart from both.

#ifndef MDENAS_DATA_SPLIT_H_
#define MDENAS_DATA_SPLIT_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace mdenas {

// 0, 1, ..., count - 1.
std::vector<int64_t> FirstIndices(int64_t count);

// `max_count` of `indices` chosen by a shuffle seeded with `seed`, in
// ascending order; all of them when max_count is 0 or at least their number.
std::vector<int64_t> RandomSubset(std::vector<int64_t> indices,
                                  int64_t max_count, uint64_t seed);

struct TrainValidationSplit {
  std::vector<int64_t> train;  // Ascending.
  // In a seeded order that mixes the classes: a set stored class by class
  // would otherwise give validation batches of one class, which BatchNorm
  // with batch statistics (the NAS-Bench-201 supernet) normalises into
  // chance accuracy.
  std::vector<int64_t> validation;
};

// Splits `indices` (into a set whose labels are `labels`) class by class:
// round(train_fraction * n) of the n images of each class go to `train`,
// chosen by a shuffle seeded with `seed` and the class, the rest to
// `validation`. Both parts keep the class balance of the whole. An index
// outside `labels`, a negative label or a fraction outside [0, 1] is an
// error.
absl::StatusOr<TrainValidationSplit> SplitTrainValidation(
    const std::vector<int64_t>& indices, const std::vector<int32_t>& labels,
    double train_fraction, uint64_t seed);

}  // namespace mdenas

#endif  // MDENAS_DATA_SPLIT_H_
