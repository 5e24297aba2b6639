// The parameters whose gradients the tests average: the same shapes on every
// rank, gradients that depend on the rank, and some without a gradient.

#ifndef MDENAS_DISTRIBUTED_PARAMETERS_TEST_UTIL_H_
#define MDENAS_DISTRIBUTED_PARAMETERS_TEST_UTIL_H_

#include <torch/types.h>

#include <vector>

namespace mdenas {

// Parameters that are off the sampled path: they have no gradient.
inline constexpr int kParametersWithoutGradient[] = {3, 7};

// Twelve parameters of assorted shapes; those in kParametersWithoutGradient
// have none, and so does the last when `drop_last_gradient` (a rank whose
// path differs). Values and gradients are fixed by `rank`.
std::vector<torch::Tensor> TestParameters(int rank, bool drop_last_gradient = false);

}  // namespace mdenas

#endif  // MDENAS_DISTRIBUTED_PARAMETERS_TEST_UTIL_H_
