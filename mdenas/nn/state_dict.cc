#include "mdenas/nn/state_dict.h"

namespace mdenas {
namespace {

void Append(const torch::nn::Module& module, const std::string& prefix, NamedTensors* state) {
  for (const auto& parameter : module.named_parameters(/*recurse=*/false)) {
    if (parameter.value().defined())
      state->emplace_back(prefix + parameter.key(), parameter.value());
  }
  for (const auto& buffer : module.named_buffers(/*recurse=*/false)) {
    if (buffer.value().defined()) state->emplace_back(prefix + buffer.key(), buffer.value());
  }
  for (const auto& child : module.named_children()) {
    Append(*child.value(), prefix + child.key() + ".", state);
  }
}

}  // namespace

NamedTensors StateDict(const torch::nn::Module& module) {
  NamedTensors state;
  Append(module, "", &state);
  return state;
}

}  // namespace mdenas
