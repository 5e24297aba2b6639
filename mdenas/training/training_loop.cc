#include "mdenas/training/training_loop.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/reports/run_reports.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/training/sgd.h"
#include "mdenas/training/tensor_state.h"

namespace mdenas {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Correct predictions among the `k` highest logits of each row (argmax for
// k = 1).
int64_t TopKCorrect(const torch::Tensor& logits, const torch::Tensor& labels, int64_t k) {
  if (k == 1) return logits.argmax(1).eq(labels).sum().item<int64_t>();
  const torch::Tensor top = std::get<1>(logits.topk(std::min<int64_t>(k, logits.size(1)), 1));
  return top.eq(labels.unsqueeze(1)).any(1).sum().item<int64_t>();
}

// Why a run stops at a training step whose loss or gradient is NaN or
// infinite: where it happened, and that the checkpoint of the last finished
// epoch is intact.
absl::Status NonFiniteStepError(int epoch, int64_t batch, double loss, int epochs_done,
                                const std::string& run_path) {
  return absl::InternalError(absl::StrCat(
      "epoch ", epoch, ", batch ", batch, ": the loss or the gradient is not finite (loss ", loss,
      "); the run stops. The checkpoint of epoch ", epochs_done, " in ", run_path,
      " is intact. A lower learning rate or gradient clipping may help; "
      "optimizer.on_non_finite: SKIP_STEP skips such steps instead"));
}

// Micro-batches move BatchNorm's running statistics as that many processes
// do, each from the step's starting values, and then averaged (as ranks
// average theirs before an evaluation; the update is linear, so averaging
// once per step or once per epoch agrees), rather than one after another.
// That keeps a one-process run the exact reference of a multi-process one.
class MicroBatchStatistics {
 public:
  explicit MicroBatchStatistics(const torch::nn::Module& network) : buffers_(network.buffers()) {
    for (const torch::Tensor& buffer : buffers_) {
      start_.push_back(buffer.clone());
      change_.push_back(torch::zeros_like(buffer));
    }
  }

  // After a micro-batch's step: keeps its change, restores the start.
  void EndMicroBatch() {
    for (size_t i = 0; i < buffers_.size(); ++i) {
      change_[i].add_(buffers_[i] - start_[i]);
      torch::Tensor(buffers_[i]).copy_(start_[i]);
    }
  }

  // The start plus the mean change: exactly the start where nothing changed.
  void Finish(int micro_batches) {
    for (size_t i = 0; i < buffers_.size(); ++i) {
      const torch::Tensor mean = change_[i].is_floating_point()
                                     ? change_[i] / micro_batches
                                     : change_[i].div(micro_batches, "floor");
      torch::Tensor(buffers_[i]).copy_(start_[i] + mean);
    }
  }

 private:
  std::vector<torch::Tensor> buffers_, start_, change_;
};

}  // namespace

TrainingLoop::TrainingLoop(TrainingJob* job, torch::nn::Module* network,
                           const OptimizerSpec& optimizer, int epochs, const torch::Device& device,
                           std::unique_ptr<Loader> train_loader, RunDirectory run)
    : job_(job),
      network_(network),
      optimizer_spec_(optimizer),
      epochs_(epochs),
      device_(device),
      train_loader_(std::move(train_loader)),
      run_(std::move(run)),
      step_(optimizer, network->parameters(), &single_process_) {}

absl::Status RestoreTrainingState(const TrainingState& state, int epochs,
                                  torch::nn::Module* network, torch::optim::SGD* optimizer) {
  if (state.epochs_done() < 1 || state.epochs_done() > epochs ||
      state.epochs_size() != state.epochs_done()) {
    return absl::DataLossError(absl::StrCat("inconsistent epoch count ", state.epochs_done()));
  }
  MDENAS_RETURN_IF_ERROR(LoadModuleState(state.network(), network));
  MDENAS_RETURN_IF_ERROR(LoadSgdState(state.optimizer(), optimizer));
  return LoadCpuGeneratorState(state.torch_rng());
}

absl::Status TrainingLoop::Restore(const TrainingState& state) {
  MDENAS_RETURN_IF_ERROR(RestoreTrainingState(state, epochs_, network_, &step_.optimizer()));
  epochs_done_ = state.epochs_done();
  records_ = state.epochs();
  seconds_ = state.seconds();
  return absl::OkStatus();
}

absl::Status TrainingLoop::Run(ProgressReporter* progress, int stop_after) {
  const int first = epochs_done_ + 1;
  const auto session_start = std::chrono::steady_clock::now();
  for (int epoch = first; epoch <= epochs_; ++epoch) {
    if (stop_after > 0 && epoch > stop_after) break;
    const auto start = std::chrono::steady_clock::now();
    EpochRecord record;
    record.set_epoch(epoch);
    job_->StartEpoch(epoch, &record);
    MDENAS_RETURN_IF_ERROR(TrainEpoch(epoch, progress, &record));
    MDENAS_RETURN_IF_ERROR(job_->EndEpoch(&record));
    record.set_seconds(SecondsSince(start));
    record.set_finished_unix_seconds(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
    seconds_ += record.seconds();
    epochs_done_ = epoch;
    *records_.Add() = record;
    MDENAS_RETURN_IF_ERROR(WriteCheckpoint());
    MDENAS_RETURN_IF_ERROR(job_->WriteResults());
    MDENAS_RETURN_IF_ERROR(WriteRunReports(run_.path()).status());
    const double per_epoch = SecondsSince(session_start) / (epoch - first + 1);
    progress->EndEpoch(record, job_->PathText(record), seconds_, per_epoch * (epochs_ - epoch));
  }
  return absl::OkStatus();
}

absl::Status TrainingLoop::TrainEpoch(int epoch, ProgressReporter* progress, EpochRecord* record) {
  const double learning_rate = LearningRateAt(optimizer_spec_, epoch - 1, epochs_);
  step_.SetLearningRate(learning_rate);
  network_->train();
  train_loader_->StartEpoch(epoch - 1);
  progress->StartEpoch(epoch, train_loader_->batches_per_epoch());
  const auto start = std::chrono::steady_clock::now();
  double loss_sum = 0;
  int64_t correct = 0, seen = 0, batches = 0;
  int skipped = 0;
  while (std::optional<Batch> batch = train_loader_->Next()) {
    ++batches;
    const torch::Tensor images = batch->images.to(device_);
    const torch::Tensor labels = batch->labels.to(device_);
    const int64_t n = labels.size(0);
    step_.ClearGradients();
    job_->StartStep();
    // Each micro-batch's mean loss weighted by its share of the batch: the
    // gradients add up to those of the batch's mean loss.
    const std::vector<torch::Tensor> micro_images =
        images.tensor_split(optimizer_spec_.micro_batches());
    const std::vector<torch::Tensor> micro_labels =
        labels.tensor_split(optimizer_spec_.micro_batches());
    double batch_loss = 0;
    int64_t batch_correct = 0;
    bool finite = true;
    std::optional<MicroBatchStatistics> statistics;
    if (micro_images.size() > 1) statistics.emplace(*network_);
    int micro_batches = 0;
    for (size_t m = 0; m < micro_images.size() && finite; ++m) {
      const int64_t micro_n = micro_labels[m].size(0);
      if (micro_n == 0) continue;  // A last batch smaller than micro_batches.
      const TrainingOutput output = job_->Forward(micro_images[m], micro_labels[m]);
      const double share = static_cast<double>(micro_n) / n;
      batch_loss += output.loss.item<double>() * share;
      batch_correct += TopKCorrect(output.logits, micro_labels[m], 1);
      finite = step_.Backward(output.loss * share);
      // After the backward pass, which may read the statistics it saved.
      if (statistics) statistics->EndMicroBatch();
      ++micro_batches;
    }
    if (statistics) statistics->Finish(micro_batches);
    if (finite) {
      MDENAS_ASSIGN_OR_RETURN(finite, step_.Update());
    }
    if (!finite) {
      if (optimizer_spec_.on_non_finite() == OptimizerSpec::STOP) {
        return NonFiniteStepError(epoch, batches, batch_loss, epochs_done_, run_.path());
      }
      ++skipped;
      continue;
    }
    job_->AfterStep();
    loss_sum += batch_loss * n;
    correct += batch_correct;
    seen += n;
    progress->Batch(batches, loss_sum / seen, 100.0 * correct / seen);
  }
  MDENAS_RETURN_IF_ERROR(train_loader_->status());
  record->set_learning_rate(learning_rate);
  record->set_train_loss(loss_sum / std::max<int64_t>(seen, 1));
  record->set_train_top1(100.0 * correct / std::max<int64_t>(seen, 1));
  record->set_skipped_steps(skipped);
  record->set_images_per_second(seen / SecondsSince(start));
  return absl::OkStatus();
}

absl::Status TrainingLoop::WriteCheckpoint() const {
  Checkpoint checkpoint;
  TrainingState* state = checkpoint.mutable_training();
  state->set_epochs_done(epochs_done_);
  *state->mutable_epochs() = records_;
  state->set_torch_rng(CpuGeneratorState());
  *state->mutable_network() = ModuleState(*network_);
  *state->mutable_optimizer() = SgdState(step_.optimizer());
  state->set_seconds(seconds_);
  job_->SaveState(&checkpoint);
  return mdenas::WriteCheckpoint(run_, std::move(checkpoint));
}

double EvaluationCounts::top1_percent() const {
  return 100.0 * top1 / std::max<int64_t>(images, 1);
}

double EvaluationCounts::top5_percent() const {
  return 100.0 * top5 / std::max<int64_t>(images, 1);
}

absl::StatusOr<EvaluationCounts> Evaluate(
    torch::nn::Module& network, Loader& loader, const torch::Device& device,
    const std::function<torch::Tensor(const torch::Tensor& images)>& logits_of,
    const std::function<void(int64_t correct, int64_t images)>& on_batch) {
  torch::NoGradGuard no_grad;
  network.eval();
  // Unshuffled and unaugmented: every epoch of an evaluation loader is the
  // same.
  loader.StartEpoch(0);
  EvaluationCounts counts;
  while (std::optional<Batch> batch = loader.Next()) {
    const torch::Tensor labels = batch->labels.to(device);
    const torch::Tensor logits = logits_of(batch->images.to(device));
    const int64_t right = TopKCorrect(logits, labels, 1);
    if (on_batch) on_batch(right, labels.size(0));
    counts.top1 += right;
    counts.top5 += TopKCorrect(logits, labels, 5);
    counts.images += labels.size(0);
  }
  MDENAS_RETURN_IF_ERROR(loader.status());
  return counts;
}

}  // namespace mdenas
