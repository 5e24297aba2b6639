#include "mdenas/training/sgd.h"

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include <torch/torch.h>

namespace mdenas {
namespace {

// libtorch keys an optimizer's per-parameter state by the parameter's
// TensorImpl address: printed in libtorch 1.x (Debian's), the address itself
// in 2.x (PyTorch's packages on GPU hosts).
template <typename Key>
Key AddressKey(void* address) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream printed;
    printed << address;
    return printed.str();
  } else {
    return address;
  }
}

auto StateKey(const torch::Tensor& parameter) {
  using Key =
      std::decay_t<decltype(std::declval<const torch::optim::Optimizer&>().state())>::key_type;
  return AddressKey<Key>(parameter.unsafeGetTensorImpl());
}

}  // namespace

std::unique_ptr<torch::optim::SGD> MakeSgd(const OptimizerSpec& spec,
                                           std::vector<torch::Tensor> parameters) {
  return std::make_unique<torch::optim::SGD>(
      std::move(parameters), torch::optim::SGDOptions(spec.learning_rate())
                                 .momentum(spec.momentum())
                                 .weight_decay(spec.weight_decay()));
}

double LearningRateAt(const OptimizerSpec& spec, int epoch, int epochs) {
  if (spec.schedule() == OptimizerSpec::CONSTANT) return spec.learning_rate();
  const double progress = static_cast<double>(epoch) / epochs;
  return spec.learning_rate_min() +
         0.5 * (spec.learning_rate() - spec.learning_rate_min()) *
             (1.0 + std::cos(M_PI * progress));
}

const torch::Tensor* FindMomentumBuffer(const torch::optim::SGD& optimizer,
                                        const torch::Tensor& parameter) {
  const auto it = optimizer.state().find(StateKey(parameter));
  if (it == optimizer.state().end()) return nullptr;
  const auto& state = static_cast<const torch::optim::SGDParamState&>(*it->second);
  return state.momentum_buffer().defined() ? &state.momentum_buffer() : nullptr;
}

void SetMomentumBuffer(torch::optim::SGD* optimizer, const torch::Tensor& parameter,
                       torch::Tensor buffer) {
  auto state = std::make_unique<torch::optim::SGDParamState>();
  state->momentum_buffer(std::move(buffer));
  optimizer->state()[StateKey(parameter)] = std::move(state);
}

}  // namespace mdenas
