// The one training loop of the project, run by the search and the
// retraining (and through them by the studies): epochs of SGD steps over a
// loader (training/step.h), a record and a progress line per epoch, and
// after every epoch a checkpoint (run/checkpoint.h) from which a run
// that stopped continues exactly as if it had not. What differs between
// jobs is theirs, behind TrainingJob: what the forward pass is, what
// happens before and after an epoch, and their part of the checkpoint and
// the results.
//
//   TrainingLoop loop(&job, network, spec.optimizer(), spec.epochs(),
//                     device, std::move(train_loader), run);
//   MDENAS_RETURN_IF_ERROR(loop.Run(&progress));

#ifndef MDENAS_TRAINING_TRAINING_LOOP_H_
#define MDENAS_TRAINING_TRAINING_LOOP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <torch/nn/module.h>
#include <torch/optim/sgd.h>
#include <torch/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/loader.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "mdenas/proto/checkpoint.pb.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/proto/training.pb.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/training/step.h"

namespace mdenas {

// The forward pass of a training batch.
struct TrainingOutput {
  // What the step minimises.
  torch::Tensor loss;
  // The logits the batch's accuracy is measured on.
  torch::Tensor logits;
};

// What a job adds to the loop, epoch by epoch.
class TrainingJob {
 public:
  virtual ~TrainingJob() = default;

  // Before epoch `epoch` (1-based) trains; `record` is the epoch's.
  virtual void StartEpoch(int epoch, EpochRecord* record) = 0;
  // Before each step: a step trains all micro-batches of one batch
  // (OptimizerSpec.micro_batches) on the same network (the same path).
  virtual void StartStep() {}
  // The forward pass of a training micro-batch (on the loop's device); the
  // loss is the micro-batch's mean.
  virtual TrainingOutput Forward(const torch::Tensor& images, const torch::Tensor& labels) = 0;
  // After each step that updated the weights (not after a skipped one).
  virtual void AfterStep() {}
  // After the epoch's training: measures it and sets record->valid_top1.
  virtual absl::Status EndEpoch(EpochRecord* record) = 0;

  // Its state in the checkpoint: its member of Checkpoint.job.
  virtual void SaveState(Checkpoint* checkpoint) const = 0;
  // Writes its result files into the run directory, after the checkpoint;
  // the loop then rebuilds the reports from them (mdenas/reports).
  virtual absl::Status WriteResults() const = 0;
  // The epoch's path as the progress line shows it; empty for none.
  virtual std::string PathText(const EpochRecord& record) const { return ""; }
};

class TrainingLoop {
 public:
  // Trains `network`'s parameters for `epochs` epochs of `train_loader` on
  // `device` with SGD as `optimizer` says, writing checkpoints to `run`.
  // `job` and `network` must outlive the loop.
  TrainingLoop(TrainingJob* job, torch::nn::Module* network, const OptimizerSpec& optimizer,
               int epochs, const torch::Device& device, std::unique_ptr<Loader> train_loader,
               RunDirectory run);

  // Continues from the loop's state in a checkpoint: epochs, records,
  // weights, momentum and libtorch's generator, each checked to fit.
  absl::Status Restore(const TrainingState& state);

  // Runs the remaining epochs, or up to epoch `stop_after` (1-based) when
  // positive. A non-finite training loss stops the run with an error that
  // says where (OptimizerSpec.on_non_finite = STOP) or skips the step
  // (SKIP_STEP); the checkpoint of the last finished epoch stays as it was.
  absl::Status Run(ProgressReporter* progress, int stop_after = 0);

  int epochs() const { return epochs_; }
  int epochs_done() const { return epochs_done_; }
  const google::protobuf::RepeatedPtrField<EpochRecord>& records() const { return records_; }
  // Wall time of the finished epochs, over every session of the run.
  double seconds() const { return seconds_; }
  const torch::Device& device() const { return device_; }
  const RunDirectory& run() const { return run_; }

 private:
  absl::Status TrainEpoch(int epoch, ProgressReporter* progress, EpochRecord* record);
  absl::Status WriteCheckpoint() const;

  TrainingJob* job_;
  torch::nn::Module* network_;
  OptimizerSpec optimizer_spec_;
  int epochs_;
  torch::Device device_;
  std::unique_ptr<Loader> train_loader_;
  RunDirectory run_;
  SingleProcess single_process_;
  TrainingStep step_;
  int epochs_done_ = 0;
  google::protobuf::RepeatedPtrField<EpochRecord> records_;
  double seconds_ = 0;
};

// Puts the loop's part of a checkpoint of a run of `epochs` epochs into
// `network`, `optimizer` and libtorch's generator, checking that every part
// fits: the epoch counts, every tensor's name and shape, the generator.
absl::Status RestoreTrainingState(const TrainingState& state, int epochs,
                                  torch::nn::Module* network, torch::optim::SGD* optimizer);

// Correct predictions in a batch: top-1 and top-5 (or top-k for fewer
// classes than 5).
struct EvaluationCounts {
  int64_t top1 = 0;
  int64_t top5 = 0;
  int64_t images = 0;

  // Unit: %.
  double top1_percent() const;
  double top5_percent() const;
};

// An evaluation pass: `network` in evaluation mode, without gradients, over
// one epoch of `loader` in its order; `logits_of` gives a batch's logits
// (on `device`); `on_batch`, where given, sees each batch's top-1 correct
// count and size.
absl::StatusOr<EvaluationCounts> Evaluate(
    torch::nn::Module& network, Loader& loader, const torch::Device& device,
    const std::function<torch::Tensor(const torch::Tensor& images)>& logits_of,
    const std::function<void(int64_t correct, int64_t images)>& on_batch = nullptr);

}  // namespace mdenas

#endif  // MDENAS_TRAINING_TRAINING_LOOP_H_
