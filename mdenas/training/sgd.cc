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

}  // namespace mdenas
