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
  const std::vector<torch::Tensor> with_gradients = WithGradients();
  if (with_gradients.empty()) return true;
  MDENAS_RETURN_IF_ERROR(combiner_->Combine(with_gradients));
  torch::NoGradGuard no_grad;
  const torch::Tensor total_norm = GlobalNorm(with_gradients);
  if (!std::isfinite(total_norm.item<double>())) return false;
  std::optional<torch::Tensor> clip_scale = ClipScale(total_norm);
  // Where the scale is 1 the product is the gradient exactly: skipped.
  if (clip_scale && clip_scale->item<double>() >= 1.0) clip_scale.reset();
  ApplySgd(with_gradients, clip_scale, /*finite=*/std::nullopt);
  return true;
}

absl::StatusOr<torch::Tensor> TrainingStep::UpdateOnDevice() {
  const std::vector<torch::Tensor> with_gradients = WithGradients();
  if (with_gradients.empty()) return torch::ones({}, torch::kBool);
  MDENAS_RETURN_IF_ERROR(combiner_->Combine(with_gradients));
  torch::NoGradGuard no_grad;
  const torch::Tensor total_norm = GlobalNorm(with_gradients);
  const torch::Tensor finite = torch::isfinite(total_norm);
  ApplySgd(with_gradients, ClipScale(total_norm), finite);
  return finite;
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

std::vector<torch::Tensor> TrainingStep::WithGradients() const {
  std::vector<torch::Tensor> with_gradients;
  for (const torch::Tensor& parameter : parameters_) {
    if (parameter.grad().defined()) with_gradients.push_back(parameter);
  }
  return with_gradients;
}

torch::Tensor TrainingStep::GlobalNorm(const std::vector<torch::Tensor>& parameters) {
  std::vector<torch::Tensor> norms;
  norms.reserve(parameters.size());
  for (const torch::Tensor& parameter : parameters) norms.push_back(parameter.grad().norm());
  return torch::stack(norms).norm();
}

std::optional<torch::Tensor> TrainingStep::ClipScale(const torch::Tensor& total_norm) const {
  // torch::nn::utils::clip_grad_norm_'s scale, computed as it computes it,
  // from the norm already at hand (it computes every norm again).
  if (spec_.grad_clip_norm() <= 0) return std::nullopt;
  return torch::clamp_max(spec_.grad_clip_norm() / (total_norm + 1e-6), 1.0);
}

void TrainingStep::ApplySgd(const std::vector<torch::Tensor>& parameters,
                            const std::optional<torch::Tensor>& clip_scale,
                            const std::optional<torch::Tensor>& finite) {
  const double learning_rate =
      static_cast<const torch::optim::SGDOptions&>(optimizer_->param_groups()[0].options()).lr();
  for (const torch::Tensor& parameter : parameters) {
    torch::Tensor direction = parameter.grad();
    if (clip_scale) direction = direction * *clip_scale;
    if (spec_.weight_decay() != 0) direction = direction.add(parameter, spec_.weight_decay());
    torch::Tensor weights = parameter.detach();
    if (spec_.momentum() != 0) {
      const torch::Tensor* found = FindMomentumBuffer(*optimizer_, parameter);
      if (found == nullptr) {
        // SGD's first step sets the buffer to the direction: 0 * momentum
        // + direction is that exactly.
        SetMomentumBuffer(optimizer_.get(), parameter, torch::zeros_like(parameter));
        found = FindMomentumBuffer(*optimizer_, parameter);
      }
      torch::Tensor buffer = *found;
      if (finite) {
        direction = buffer.mul(spec_.momentum()).add(direction);
        buffer.copy_(torch::where(*finite, direction, buffer));
      } else {
        direction = buffer.mul_(spec_.momentum()).add_(direction);
      }
    }
    if (finite) {
      weights.copy_(torch::where(*finite, weights.add(direction, -learning_rate), weights));
    } else {
      weights.add_(direction, -learning_rate);
    }
  }
}

}  // namespace mdenas
