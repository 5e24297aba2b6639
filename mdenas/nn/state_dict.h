// A module's parameters and buffers as Python's Module.state_dict() lists
// them: each module's own parameters, then its own buffers, then its
// children's in registration order. libtorch's named_parameters() and
// named_buffers() list all parameters before any buffer instead, so files
// written from them would not read like a Python model's.

#ifndef MDENAS_NN_STATE_DICT_H_
#define MDENAS_NN_STATE_DICT_H_

#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

namespace mdenas {

// Names and tensors in a state dict's order.
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// `module`'s defined parameters and buffers in Python's state_dict order,
// each the module's own tensor (not a copy).
NamedTensors StateDict(const torch::nn::Module& module);

}  // namespace mdenas

#endif  // MDENAS_NN_STATE_DICT_H_
