#include "mdenas/space/network_weights.h"

#include <torch/torch.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/problems.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/nn/weights_file.h"

namespace mdenas {
namespace {

std::string Shape(const torch::Tensor& tensor) {
  return absl::StrCat("[", absl::StrJoin(tensor.sizes(), ", "), "]");
}

}  // namespace

std::string NetworkWeightsBytes(const Network& network) {
  return WeightsFileBytes(network.ReferenceStateDict());
}

absl::Status LoadNetworkWeights(const std::string& path, Network* network) {
  MDENAS_ASSIGN_OR_RETURN(const NamedTensors file, ReadWeightsFile(path));
  std::map<std::string, torch::Tensor> unused(file.begin(), file.end());
  const NamedTensors own = network->ReferenceStateDict();
  Problems problems;
  for (const auto& [name, tensor] : own) {
    const auto it = unused.find(name);
    if (it == unused.end()) {
      problems.Add(absl::InvalidArgumentError(
          absl::StrCat(path, ": no key '", name, "' (shape ", Shape(tensor), ")")));
      continue;
    }
    if (!it->second.sizes().equals(tensor.sizes())) {
      problems.Add(absl::InvalidArgumentError(absl::StrCat(path, ": key '", name, "' has shape ",
                                                           Shape(it->second), ", the network ",
                                                           Shape(tensor))));
    }
    unused.erase(it);
  }
  for (const auto& [name, tensor] : unused) {
    problems.Add(absl::InvalidArgumentError(absl::StrCat(
        path, ": key '", name, "' is not the network's (", network->Description(), ")")));
  }
  MDENAS_RETURN_IF_ERROR(problems.ToStatus());
  const std::map<std::string, torch::Tensor> values(file.begin(), file.end());
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : own) tensor.copy_(values.at(name));
  return absl::OkStatus();
}

}  // namespace mdenas
