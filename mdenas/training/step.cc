#include "mdenas/training/step.h"

#include <torch/torch.h>

#include <cmath>
#include <optional>
#include <utility>

#include "mdenas/base/status_macros.h"
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
  MDENAS_ASSIGN_OR_RETURN(const torch::Tensor updated, UpdateOnDevice());
  return updated.item<bool>();
}

bool TrainingStep::HasMomentumBuffers() const {
  if (spec_.momentum() == 0) return true;
  for (const torch::Tensor& parameter : parameters_) {
    if (parameter.grad().defined() && FindMomentumBuffer(*optimizer_, parameter) == nullptr) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<torch::Tensor> TrainingStep::UpdateOnDevice() {
  std::vector<torch::Tensor> with_gradients;
  for (const torch::Tensor& parameter : parameters_) {
    if (parameter.grad().defined()) with_gradients.push_back(parameter);
  }
  if (with_gradients.empty()) return torch::ones({}, torch::kBool);
  MDENAS_RETURN_IF_ERROR(combiner_->Combine(with_gradients));
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> norms;
  norms.reserve(with_gradients.size());
  for (const torch::Tensor& parameter : with_gradients) {
    norms.push_back(parameter.grad().norm());
  }
  const torch::Tensor total_norm = torch::stack(norms).norm();
  const torch::Tensor finite = torch::isfinite(total_norm);
  // torch::nn::utils::clip_grad_norm_'s scale, computed as it computes it,
  // from the norm already at hand (it computes every norm again). Where it
  // is 1 the product is the gradient exactly.
  std::optional<torch::Tensor> clip_scale;
  if (spec_.grad_clip_norm() > 0) {
    clip_scale = torch::clamp_max(spec_.grad_clip_norm() / (total_norm + 1e-6), 1.0);
  }
  const auto& options =
      static_cast<const torch::optim::SGDOptions&>(optimizer_->param_groups()[0].options());
  for (const torch::Tensor& parameter : with_gradients) {
    torch::Tensor direction = parameter.grad();
    if (clip_scale) direction = direction * *clip_scale;
    if (spec_.weight_decay() != 0) direction = direction.add(parameter, spec_.weight_decay());
    if (spec_.momentum() != 0) {
      const torch::Tensor* found = FindMomentumBuffer(*optimizer_, parameter);
      if (found == nullptr) {
        // SGD's first step sets the buffer to the direction: 0 * momentum
        // + direction is that exactly.
        SetMomentumBuffer(optimizer_.get(), parameter, torch::zeros_like(parameter));
        found = FindMomentumBuffer(*optimizer_, parameter);
      }
      torch::Tensor buffer = *found;
      direction = buffer.mul(spec_.momentum()).add(direction);
      buffer.copy_(torch::where(finite, direction, buffer));
    }
    torch::Tensor weights = parameter.detach();
    weights.copy_(torch::where(finite, weights.add(direction, -options.lr()), weights));
  }
  return finite;
}

}  // namespace mdenas
