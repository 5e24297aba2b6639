// The optimizer and schedule every training job of the project uses (search
// and retraining, MDENAS_SPEC.md §2.5 and §3.1): SGD with momentum and weight
// decay, and a per-epoch cosine learning rate. step.h applies it.

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

// SGD's momentum buffer of `parameter` (one of `optimizer`'s): null where
// it has none yet (SGD makes it at the parameter's first step).
const torch::Tensor* FindMomentumBuffer(const torch::optim::SGD& optimizer,
                                        const torch::Tensor& parameter);
void SetMomentumBuffer(torch::optim::SGD* optimizer, const torch::Tensor& parameter,
                       torch::Tensor buffer);

}  // namespace mdenas

#endif  // MDENAS_TRAINING_SGD_H_
