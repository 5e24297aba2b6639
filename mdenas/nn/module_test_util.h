// Test helpers that compare whole modules: the same network built on ATen
// and on the fast kernels must compute and train the same.

#ifndef MDENAS_NN_MODULE_TEST_UTIL_H_
#define MDENAS_NN_MODULE_TEST_UTIL_H_

#include <torch/nn/module.h>

namespace mdenas {

// Expects every parameter of `actual` to hold its namesake's gradient in
// `expected` (torch::allclose with `rtol`, `atol`), or none where that has
// none (a part of the network the sampled path or the output leaves out).
void ExpectSameGradients(const torch::nn::Module& expected, const torch::nn::Module& actual,
                         double rtol, double atol);

}  // namespace mdenas

#endif  // MDENAS_NN_MODULE_TEST_UTIL_H_
