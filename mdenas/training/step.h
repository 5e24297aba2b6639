// One optimisation step of every training job (the search, the retraining,
// the step benchmark): the loss backpropagated, the gradients combined
// across the processes that train the network together, their global norm
// clipped and checked, and SGD applied. Combining is the one place where
// processes meet in a step; a single process has nothing to combine.
//
//   SingleProcess single_process;  // training/replicas.h
//   TrainingStep step(spec.optimizer(), net->parameters(), &single_process);
//   step.ClearGradients();
//   for (each micro-batch) step.Backward(its loss, weighted by its share);
//   if (!step.Update()) { ... the gradient was not finite ... }
//
// SGD is this file's own, torch::optim::SGD's arithmetic exactly (its
// optimizer holds the momentum buffers that checkpoints save). Update()
// checks the gradient on the host and updates in place; UpdateOnDevice()
// waits for nothing: a step whose gradient is not finite leaves the
// weights and the momentum as they were by selecting, on the device, the
// old values over the new, so that a CUDA graph can hold it
// (training/captured_step.h).

#ifndef MDENAS_TRAINING_STEP_H_
#define MDENAS_TRAINING_STEP_H_

#include <memory>
#include <optional>
#include <vector>

#include <torch/optim/sgd.h>
#include <torch/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mdenas/proto/training.pb.h"

namespace mdenas {

// The forward pass of a training batch.
struct TrainingOutput {
  // What the step minimises.
  torch::Tensor loss;
  // The logits the batch's accuracy is measured on.
  torch::Tensor logits;
};

// Combines the gradients that the processes training one network together
// computed on their shares of a batch, before the update.
class GradientCombiner {
 public:
  virtual ~GradientCombiner() = default;
  // Makes every parameter's gradient the whole batch's, in place; a
  // parameter without a gradient has none in any process (the sampled path
  // is the same everywhere). An error (a process gone) ends the run.
  virtual absl::Status Combine(const std::vector<torch::Tensor>& parameters) = 0;
};

class TrainingStep {
 public:
  // SGD over `parameters` as `spec` says; `combiner` must outlive the step.
  TrainingStep(const OptimizerSpec& spec, std::vector<torch::Tensor> parameters,
               GradientCombiner* combiner);

  void SetLearningRate(double learning_rate);

  // Sets every gradient to none. A parameter that the next backward pass
  // does not reach (an unsampled choice of the supernet) then has no
  // gradient, and SGD leaves it alone: no weight decay, no stale momentum.
  void ClearGradients();

  // Backpropagates `loss`, adding to the gradients of the step's earlier
  // micro-batches; returns false, without backpropagating, if `loss` is NaN
  // or infinite.
  bool Backward(const torch::Tensor& loss);

  // Combines the gradients, clips their global norm to grad_clip_norm (when
  // positive) and steps. If the norm is NaN or infinite, nothing is updated
  // and it returns false; if combining fails, its error.
  absl::StatusOr<bool> Update();

  // Update() without reading anything back from the device: returns
  // whether it updated as a bool scalar on the parameters' device. A
  // parameter's first step makes its momentum buffer (memory made while a
  // CUDA graph captures would be made anew at every replay: see
  // HasMomentumBuffers).
  absl::StatusOr<torch::Tensor> UpdateOnDevice();

  // Whether every parameter that has a gradient now has its momentum
  // buffer (true without momentum): then the next step on the same
  // parameters makes no memory of its own.
  bool HasMomentumBuffers() const;

  // A step of one micro-batch: Backward(loss), then Update(); false if
  // either was not finite.
  absl::StatusOr<bool> Apply(const torch::Tensor& loss);

  torch::optim::SGD& optimizer() { return *optimizer_; }
  const torch::optim::SGD& optimizer() const { return *optimizer_; }

 private:
  std::vector<torch::Tensor> WithGradients() const;
  static torch::Tensor GlobalNorm(const std::vector<torch::Tensor>& parameters);
  // The scale that clips the gradients to grad_clip_norm, where clipping is
  // on.
  std::optional<torch::Tensor> ClipScale(const torch::Tensor& total_norm) const;
  // SGD on `parameters`' gradients times `clip_scale`; with `finite`, on
  // the device, keeping the old values where it is false (UpdateOnDevice),
  // otherwise in place (Update, which checked on the host).
  void ApplySgd(const std::vector<torch::Tensor>& parameters,
                const std::optional<torch::Tensor>& clip_scale,
                const std::optional<torch::Tensor>& finite);

  OptimizerSpec spec_;
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<torch::optim::SGD> optimizer_;
  GradientCombiner* combiner_;
};

}  // namespace mdenas

#endif  // MDENAS_TRAINING_STEP_H_
