// Training state as plain data, for checkpoints: a module's parameters and
// buffers by name, SGD's momentum buffers, libtorch's CPU random generator.
// Loading checks every name, shape and type and never throws.

#ifndef MDENAS_TRAINING_TENSOR_STATE_H_
#define MDENAS_TRAINING_TENSOR_STATE_H_

#include <string>

#include <torch/nn/module.h>
#include <torch/optim/sgd.h>

#include "absl/status/status.h"
#include "mdenas/proto/tensor.pb.h"

namespace mdenas {

// Every parameter and buffer of `module`, by its dotted name.
TensorMapProto ModuleState(const torch::nn::Module& module);
// Copies `state` into `module`; it must hold exactly the module's tensors,
// with the same shapes and types.
absl::Status LoadModuleState(const TensorMapProto& state,
                             torch::nn::Module* module);

// The momentum buffers of `optimizer`'s parameters, named by their position.
TensorMapProto SgdState(const torch::optim::SGD& optimizer);
absl::Status LoadSgdState(const TensorMapProto& state,
                          torch::optim::SGD* optimizer);

std::string CpuGeneratorState();
absl::Status LoadCpuGeneratorState(const std::string& state);

}  // namespace mdenas

#endif  // MDENAS_TRAINING_TENSOR_STATE_H_
