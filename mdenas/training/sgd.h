// The optimizer and schedule every training job of the project uses (search
// and retraining, MDENAS_SPEC.md §2.5 and §3.1): SGD with momentum and weight
// decay, a per-epoch cosine learning rate, gradient-norm clipping.

#ifndef MDENAS_TRAINING_SGD_H_
#define MDENAS_TRAINING_SGD_H_

#include <memory>
#include <vector>

#include <torch/optim/sgd.h>

#include "mdenas/proto/training.pb.h"

namespace mdenas {

std::unique_ptr<torch::optim::SGD> MakeSgd(const OptimizerSpec& spec,
                                           std::vector<torch::Tensor> parameters);

// The learning rate of epoch `epoch` (0-based) of `epochs`: cosine annealing
// from learning_rate to learning_rate_min, stepped once per epoch as DARTS
// does (CosineAnnealingLR), or constant.
double LearningRateAt(const OptimizerSpec& spec, int epoch, int epochs);

void SetLearningRate(torch::optim::SGD* optimizer, double learning_rate);

// Sets every gradient to none. A parameter that the next backward pass does
// not reach (an unsampled operation of the supernet) then has no gradient,
// and SGD leaves it alone: no weight decay, no stale momentum.
void ClearGradients(const std::vector<torch::Tensor>& parameters);

// Backpropagates `loss`, clips the gradients' global norm to
// spec.grad_clip_norm() (when positive) and steps. If the loss or the
// gradient norm is NaN or infinite, nothing is updated and it returns false.
bool BackwardAndStep(const torch::Tensor& loss, const OptimizerSpec& spec,
                     torch::optim::SGD* optimizer);

}  // namespace mdenas

#endif  // MDENAS_TRAINING_SGD_H_
