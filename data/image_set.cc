#include "data/image_set.h"

namespace mdenas {

const char* DataSplitName(DataSplit split) {
  return split == DataSplit::kTrain ? "train" : "test";
}

}  // namespace mdenas
