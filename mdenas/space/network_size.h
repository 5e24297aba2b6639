// The multiply-accumulates of a stand-alone network of any space, one of the
// two sizes of the paper tables (the other: CountParameters, nn/layers.h).

#ifndef MDENAS_SPACE_NETWORK_SIZE_H_
#define MDENAS_SPACE_NETWORK_SIZE_H_

#include <cstdint>

#include "mdenas/space/search_space.h"

namespace mdenas {

// Multiply-accumulates of one evaluation-mode forward pass of `network` on a
// single image of `inputs`' size, as its layers count them (nn/layers.h).
int64_t NetworkMacs(Network& network, const NetworkInputs& inputs);

}  // namespace mdenas

#endif  // MDENAS_SPACE_NETWORK_SIZE_H_
