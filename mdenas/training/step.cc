#include "mdenas/training/step.h"

#include <cmath>
#include <utility>

#include <torch/torch.h>

#include "mdenas/training/sgd.h"

namespace mdenas {

TrainingStep::TrainingStep(const OptimizerSpec& spec, std::vector<torch::Tensor> parameters,
                           GradientCombiner* combiner)
    : spec_(spec),
      parameters_(std::move(parameters)),
      optimizer_(MakeSgd(spec, parameters_)),
      combiner_(combiner) {}

void TrainingStep::SetLearningRate(double learning_rate) {
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::SGDOptions&>(group.options()).lr(learning_rate);
  }
}

void TrainingStep::ClearGradients() {
  for (const torch::Tensor& parameter : parameters_) {
    // mutable_grad() is non-const on a const handle to the same tensor.
    torch::Tensor(parameter).mutable_grad() = torch::Tensor();
  }
}

bool TrainingStep::Backward(const torch::Tensor& loss) {
  if (!std::isfinite(loss.item<double>())) return false;
  loss.backward();
  return true;
}

absl::StatusOr<bool> TrainingStep::Apply(const torch::Tensor& loss) {
  if (!Backward(loss)) return false;
  return Update();
}

absl::StatusOr<bool> TrainingStep::Update() {
  std::vector<torch::Tensor> with_gradients;
  for (const torch::Tensor& parameter : parameters_) {
    if (parameter.grad().defined()) with_gradients.push_back(parameter);
  }
  if (with_gradients.empty()) return true;
  const absl::Status combined = combiner_->Combine(with_gradients);
  if (!combined.ok()) return combined;
  std::vector<torch::Tensor> norms;
  norms.reserve(with_gradients.size());
  for (const torch::Tensor& parameter : with_gradients) {
    norms.push_back(parameter.grad().norm());
  }
  const torch::Tensor total_norm = torch::stack(norms).norm();
  if (!std::isfinite(total_norm.item<double>())) return false;
  if (spec_.grad_clip_norm() > 0) {
    // torch::nn::utils::clip_grad_norm_'s scale, computed as it computes
    // it, from the norm already at hand; and applied only where it is below
    // 1: clip_grad_norm_ computes every norm again and multiplies every
    // gradient by the scale even where it is 1.
    const torch::Tensor scale =
        torch::clamp_max(spec_.grad_clip_norm() / (total_norm + 1e-6), 1.0);
    if (scale.item<double>() < 1.0) {
      for (const torch::Tensor& parameter : with_gradients) {
        parameter.grad().mul_(scale);
      }
    }
  }
  optimizer_->step();
  return true;
}

}  // namespace mdenas
