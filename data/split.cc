#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "data/random.h"

namespace mdenas {

std::vector<int64_t> FirstIndices(int64_t count) {
  std::vector<int64_t> indices(
      static_cast<size_t>(std::max<int64_t>(count, 0)));
  std::iota(indices.begin(), indices.end(), 0);
  return indices;
}

std::vector<int64_t> RandomSubset(std::vector<int64_t> indices,
                                  int64_t max_count, uint64_t seed) {
  if (max_count <= 0 || max_count >= static_cast<int64_t>(indices.size())) {
    return indices;
  }
  Random random(seed, RandomPurpose::kSubset, {});
  Shuffle(&random, &indices);
  indices.resize(static_cast<size_t>(max_count));
  std::sort(indices.begin(), indices.end());
  return indices;
}

absl::StatusOr<TrainValidationSplit> SplitTrainValidation(
    const std::vector<int64_t>& indices, const std::vector<int32_t>& labels,
    double train_fraction, uint64_t seed) {
  if (!(train_fraction >= 0 && train_fraction <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("train fraction ", train_fraction, " is outside [0, 1]"));
  }
  std::map<int32_t, std::vector<int64_t>> by_class;
  for (const int64_t index : indices) {
    if (index < 0 || index >= static_cast<int64_t>(labels.size())) {
      return absl::OutOfRangeError(absl::StrCat(
          "index ", index, " is outside the set of ", labels.size()));
    }
    if (labels[index] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("image ", index, " has negative label ", labels[index]));
    }
    by_class[labels[index]].push_back(index);
  }
  TrainValidationSplit split;
  for (auto& [label, members] : by_class) {
    Random random(seed, RandomPurpose::kSplit, {static_cast<uint64_t>(label)});
    Shuffle(&random, &members);
    const auto train_count = static_cast<size_t>(
        std::llround(train_fraction * static_cast<double>(members.size())));
    split.train.insert(split.train.end(), members.begin(),
                       members.begin() + train_count);
    split.validation.insert(split.validation.end(),
                            members.begin() + train_count, members.end());
  }
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.validation.begin(), split.validation.end());
  Random order(seed, RandomPurpose::kValidationOrder, {});
  Shuffle(&order, &split.validation);
  return split;
}

}  // namespace mdenas
