#include "mdenas/training/captured_step.h"

#include <torch/torch.h>

#include <utility>

#include "absl/status/status.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/training/autocast.h"

namespace mdenas {

absl::StatusOr<std::unique_ptr<CapturedStep>> CapturedStep::Capture(const Forward& forward,
                                                                    TrainingStep* step,
                                                                    const torch::Tensor& images,
                                                                    const torch::Tensor& labels,
                                                                    bool bfloat16) {
  if (!step->HasMomentumBuffers()) {
    return absl::FailedPreconditionError(
        "a parameter has no momentum buffer yet: capture after an eager step of the same "
        "forward pass");
  }
  std::unique_ptr<CapturedStep> captured(new CapturedStep);
  captured->images_ = images.clone();
  captured->labels_ = labels.clone();
  // The backward pass then makes the gradients in the graph's memory,
  // where every replay writes them again.
  step->ClearGradients();
  absl::Status update_status;
  CapturedStep* self = captured.get();
  MDENAS_ASSIGN_OR_RETURN(
      captured->graph_, CudaGraph::Capture([&] {
        TrainingOutput output;
        {
          AutocastScope autocast(images.device().type(), bfloat16,
                                 /*cache_casts=*/false);
          output = forward(self->images_, self->labels_);
        }
        output.loss.backward();
        absl::StatusOr<torch::Tensor> updated = step->UpdateOnDevice();
        if (!updated.ok()) {
          update_status = updated.status();
          return;
        }
        self->outputs_ = {output.loss.detach(), output.logits.detach(), *std::move(updated)};
      }));
  MDENAS_RETURN_IF_ERROR(update_status);
  return captured;
}

const CapturedStep::Outputs& CapturedStep::Run(const torch::Tensor& images,
                                               const torch::Tensor& labels) {
  images_.copy_(images);
  labels_.copy_(labels);
  graph_->Replay();
  return outputs_;
}

}  // namespace mdenas
