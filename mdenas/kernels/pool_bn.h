// The pooling operations of the cells: 3x3 pooling with padding 1 (max, or
// average not counting the padding), then BatchNorm where the network puts
// one (always in the search network). The fast kernel is one autograd node
// in channels-last layout; the ATen reference runs the two operators.

#ifndef MDENAS_KERNELS_POOL_BN_H_
#define MDENAS_KERNELS_POOL_BN_H_

#include <cstdint>
#include <optional>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/batch_norm.h"
#include "mdenas/kernels/kernels.h"
#include "mdenas/kernels/window_geometry.h"

namespace mdenas {

at::Tensor Pool3x3BatchNorm(const at::Tensor& input, PoolKind kind,
                            int64_t stride,
                            const std::optional<BatchNormArgs>& bn,
                            Kernels kernels);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_POOL_BN_H_
