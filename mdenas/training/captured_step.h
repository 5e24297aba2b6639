// A training step captured once as a CUDA graph and replayed for every
// batch of the same shape: the forward pass, the backward pass and the
// update (TrainingStep::UpdateOnDevice), reading the batch from input
// tensors of its own. The forward pass must do the same operations at
// every step: the search under per-epoch sampling (one path per epoch),
// the retraining. Nothing in the step may wait for the device; the
// caller reads the loss and the decision after the replay.
//
//   eager steps of the epoch's path first: cuDNN's choices, the momentum
//   buffers (step.HasMomentumBuffers())
//   MDENAS_ASSIGN_OR_RETURN(auto captured,
//                           CapturedStep::Capture(forward, &step, images, labels, bf16));
//   for (each batch of that shape) {
//     const CapturedStep::Outputs& out = captured->Run(images, labels);
//     if (!out.updated.item<bool>()) { ... not finite: nothing changed ... }
//   }

#ifndef MDENAS_TRAINING_CAPTURED_STEP_H_
#define MDENAS_TRAINING_CAPTURED_STEP_H_

#include <torch/types.h>

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "mdenas/training/cuda_graph.h"
#include "mdenas/training/step.h"

namespace mdenas {

class CapturedStep {
 public:
  using Forward =
      std::function<TrainingOutput(const torch::Tensor& images, const torch::Tensor& labels)>;

  // Where a replay leaves its results (overwritten by the next).
  struct Outputs {
    torch::Tensor loss;
    torch::Tensor logits;
    // A bool scalar: false where the loss or the gradient was not finite
    // and nothing was updated.
    torch::Tensor updated;
  };

  // Captures a step of `step` on `forward`'s loss (under bfloat16
  // autocast when `bfloat16`) for batches shaped as `images` and `labels`,
  // on their CUDA device; runs nothing. `forward` and `step` must outlive
  // the captured step. An error where a parameter has no momentum buffer
  // yet, or capture failed.
  static absl::StatusOr<std::unique_ptr<CapturedStep>> Capture(const Forward& forward,
                                                               TrainingStep* step,
                                                               const torch::Tensor& images,
                                                               const torch::Tensor& labels,
                                                               bool bfloat16);

  // Whether `images` and `labels` have the captured shapes.
  bool Accepts(const torch::Tensor& images, const torch::Tensor& labels) const {
    return images.sizes() == images_.sizes() && labels.sizes() == labels_.sizes();
  }

  // One step on `images` and `labels`, of the captured shapes and device.
  const Outputs& Run(const torch::Tensor& images, const torch::Tensor& labels);

 private:
  CapturedStep() = default;

  torch::Tensor images_, labels_;
  Outputs outputs_;
  std::unique_ptr<CudaGraph> graph_;
};

}  // namespace mdenas

#endif  // MDENAS_TRAINING_CAPTURED_STEP_H_
