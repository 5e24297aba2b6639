// The one training loop of the project, run by the search and the
// retraining (and through them by the studies): epochs of SGD steps over a
// loader (training/step.h), a record and a progress line per epoch, and
// after every epoch a checkpoint (run/checkpoint.h) from which a run
// that stopped continues exactly as if it had not. What differs between
// jobs is theirs, behind TrainingJob: what the forward pass is, what
// happens before and after an epoch, and their part of the checkpoint and
// the results.
//
// Data-parallel: every replica (training/replicas.h) runs the same loop
// over its shard of every batch (LoaderOptions.shard); the loop sums the
// gradients, takes the decision to skip a step together, sums the records'
// counts, averages BatchNorm's running statistics before the job's
// evaluation, checks after every epoch that the replicas still agree, and
// lets only replica 0 write the run directory. N replicas compute what one
// process computes with micro_batches: N.
//
//   TrainingLoop loop(&job, network, spec.optimizer(), spec.epochs(),
//                     device, &replicas, std::move(train_loader), run);
//   MDENAS_RETURN_IF_ERROR(loop.Run(&progress));

#ifndef MDENAS_TRAINING_TRAINING_LOOP_H_
#define MDENAS_TRAINING_TRAINING_LOOP_H_

#include <torch/nn/module.h>
#include <torch/optim/sgd.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "data/loader.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "mdenas/proto/checkpoint.pb.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/proto/training.pb.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/run/runtime.h"
#include "mdenas/training/replicas.h"
#include "mdenas/training/step.h"

namespace mdenas {

// What a job adds to the loop, epoch by epoch.
class TrainingJob {
 public:
  virtual ~TrainingJob() = default;

  // Before epoch `epoch` (1-based) trains; `record` is the epoch's.
  virtual void StartEpoch(int epoch, EpochRecord* record) = 0;
  // Before each step: a step trains all micro-batches of one batch
  // (OptimizerSpec.micro_batches) on the same network (the same path).
  virtual void StartStep() {}
  // Whether the forward passes of the epoch just started do the same
  // operations at every step (one path for the epoch), so that a CUDA
  // graph can hold the step (training/captured_step.h).
  virtual bool SameForwardEveryStep() const { return false; }
  // The forward pass of a training micro-batch (on the loop's device); the
  // loss is the micro-batch's mean.
  virtual TrainingOutput Forward(const torch::Tensor& images, const torch::Tensor& labels) = 0;
  // After each step that updated the weights (not after a skipped one).
  virtual void AfterStep() {}
  // After the epoch's training: measures it and sets record->valid_top1.
  virtual absl::Status EndEpoch(EpochRecord* record) = 0;

  // Its state in the checkpoint: its member of Checkpoint.job. Every
  // replica's must be the same after every epoch.
  virtual void SaveState(Checkpoint* checkpoint) const = 0;
  // Writes its result files into the run directory, after the checkpoint;
  // the loop then rebuilds the reports from them (mdenas/reports). Called
  // on replica 0 only.
  virtual absl::Status WriteResults() const = 0;
  // The epoch's path as the progress line shows it; empty for none.
  virtual std::string PathText(const EpochRecord& record) const { return ""; }
};

// Correct predictions: top-1 and top-5 (or top-k for fewer classes than
// 5).
struct EvaluationCounts {
  int64_t top1 = 0;
  int64_t top5 = 0;
  int64_t images = 0;

  // Unit: %.
  double top1_percent() const;
  double top5_percent() const;
};

// An evaluation pass's counts, summed over the replicas.
struct Evaluation {
  EvaluationCounts total;
  std::vector<EvaluationCounts> batches;
};

class TrainingLoop {
 public:
  // Trains `network`'s parameters for `epochs` epochs of `train_loader` on
  // `runtime`'s device, in its precision, with SGD as `optimizer` says,
  // writing checkpoints to `run`
  // (on replica 0). `train_loader` gives this replica's shard of each
  // batch. `job`, `network` and `replicas` must outlive the loop.
  TrainingLoop(TrainingJob* job, torch::nn::Module* network, const OptimizerSpec& optimizer,
               int epochs, const Runtime& runtime, Replicas* replicas,
               std::unique_ptr<Loader> train_loader, RunDirectory run);

  // Continues from the loop's state in a checkpoint: epochs, records,
  // weights, momentum and libtorch's generator, each checked to fit.
  absl::Status Restore(const TrainingState& state);

  // Runs the remaining epochs, or up to epoch `stop_after` (1-based) when
  // positive. A non-finite training loss stops the run with an error that
  // says where (OptimizerSpec.on_non_finite = STOP) or skips the step
  // (SKIP_STEP); the checkpoint of the last finished epoch stays as it was.
  absl::Status Run(ProgressReporter* progress, int stop_after = 0);

  // An evaluation pass: the network in evaluation mode, without gradients,
  // over one epoch of `loader` (this replica's shard of each batch) in its
  // order, each batch in micro_batches parts as a training batch is cut
  // (which matters where BatchNorm normalises over the batch in
  // evaluation). `start_batch` (where given) is called before each batch,
  // also one whose shard here is empty; `logits_of` gives a part's logits
  // on the loop's device (in its precision). Every replica calls it at the
  // same point.
  absl::StatusOr<Evaluation> Evaluate(
      Loader& loader, const std::function<torch::Tensor(const torch::Tensor& images)>& logits_of,
      const std::function<void(int64_t batch)>& start_batch = nullptr);

  int epochs() const { return epochs_; }
  int epochs_done() const { return epochs_done_; }
  const google::protobuf::RepeatedPtrField<EpochRecord>& records() const { return records_; }
  // Wall time of the finished epochs, over every session of the run.
  double seconds() const { return seconds_; }
  const torch::Device& device() const { return device_; }
  const RunDirectory& run() const { return run_; }
  // Whether this process writes the run directory: replica 0.
  bool writes_results() const { return replicas_->rank() == 0; }
  // RunResult.cuda_graphs: how many of this session's training steps were
  // replayed from CUDA graphs, or why none was.
  std::string CudaGraphUse() const;

 private:
  absl::Status TrainEpoch(int epoch, ProgressReporter* progress, EpochRecord* record);
  // What a training step did: its batch's mean loss (every replica's),
  // this replica's correct predictions, and whether it updated the weights
  // (false: the loss or the gradient was not finite).
  struct StepOutcome {
    double loss = 0;
    int64_t correct = 0;
    bool updated = false;
  };
  // A step operation by operation, micro-batch by micro-batch.
  absl::StatusOr<StepOutcome> EagerStep(const torch::Tensor& images, const torch::Tensor& labels,
                                        int64_t whole_size, int epoch, int64_t batch);
  // The pieces every batch is cut into: each replica's micro-batches.
  int64_t BatchParts() const;
  // Why this epoch's steps cannot be replayed from a CUDA graph; empty where
  // they can.
  std::string WhyNoCudaGraph() const;
  // An error on every replica unless their weights and job states are the
  // same after `epoch`; nothing to compare for one.
  absl::Status CheckReplicasAgree(const Checkpoint& checkpoint, int epoch) const;
  Checkpoint MakeCheckpoint() const;
  // A collective's error, with where it happened and what is intact.
  absl::Status CollectiveError(const absl::Status& status, int epoch, int64_t batch) const;

  TrainingJob* job_;
  torch::nn::Module* network_;
  OptimizerSpec optimizer_spec_;
  int epochs_;
  torch::Device device_;
  bool bfloat16_;
  bool cuda_graphs_;
  Replicas* replicas_;
  std::unique_ptr<Loader> train_loader_;
  RunDirectory run_;
  TrainingStep step_;
  // libtorch's seed when the loop was made (the job's): the parts of a
  // split batch draw from seeds derived from it.
  uint64_t base_seed_;
  int epochs_done_ = 0;
  google::protobuf::RepeatedPtrField<EpochRecord> records_;
  double seconds_ = 0;
  // This session's steps, and those replayed from CUDA graphs.
  int64_t steps_ = 0, graph_steps_ = 0;
  // Why the last epoch replayed no step from a CUDA graph: empty where it
  // did. A failed capture is not tried again.
  std::string no_graph_because_;
  bool capture_failed_ = false;
};

// Puts the loop's part of a checkpoint of a run of `epochs` epochs into
// `network`, `optimizer` and libtorch's generator, checking that every part
// fits: the epoch counts, every tensor's name and shape, the generator.
absl::Status RestoreTrainingState(const TrainingState& state, int epochs,
                                  torch::nn::Module* network, torch::optim::SGD* optimizer);

}  // namespace mdenas

#endif  // MDENAS_TRAINING_TRAINING_LOOP_H_
