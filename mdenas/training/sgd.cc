#include "mdenas/training/sgd.h"

#include <cmath>

#include <torch/torch.h>

namespace mdenas {

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

void SetLearningRate(torch::optim::SGD* optimizer, double learning_rate) {
  for (auto& group : optimizer->param_groups()) {
    static_cast<torch::optim::SGDOptions&>(group.options()).lr(learning_rate);
  }
}

void ClearGradients(const std::vector<torch::Tensor>& parameters) {
  for (const torch::Tensor& parameter : parameters) {
    // mutable_grad() is non-const on a const handle to the same tensor.
    torch::Tensor(parameter).mutable_grad() = torch::Tensor();
  }
}

bool BackwardAndStep(const torch::Tensor& loss, const OptimizerSpec& spec,
                     torch::optim::SGD* optimizer) {
  if (!std::isfinite(loss.item<double>())) return false;
  loss.backward();
  std::vector<torch::Tensor> with_gradients;
  std::vector<torch::Tensor> norms;
  for (const auto& group : optimizer->param_groups()) {
    for (const torch::Tensor& parameter : group.params()) {
      if (!parameter.grad().defined()) continue;
      with_gradients.push_back(parameter);
      norms.push_back(parameter.grad().norm());
    }
  }
  if (norms.empty()) return true;
  const torch::Tensor total_norm = torch::stack(norms).norm();
  if (!std::isfinite(total_norm.item<double>())) return false;
  if (spec.grad_clip_norm() > 0) {
    // torch::nn::utils::clip_grad_norm_'s scale, computed as it computes
    // it, from the norm already at hand; and applied only where it is below
    // 1: clip_grad_norm_ computes every norm again and multiplies every
    // gradient by the scale even where it is 1.
    const torch::Tensor scale =
        torch::clamp_max(spec.grad_clip_norm() / (total_norm + 1e-6), 1.0);
    if (scale.item<double>() < 1.0) {
      for (const torch::Tensor& parameter : with_gradients) {
        parameter.grad().mul_(scale);
      }
    }
  }
  optimizer->step();
  return true;
}

}  // namespace mdenas
