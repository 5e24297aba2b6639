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
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/reports/run_reports.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/training/autocast.h"
#include "mdenas/training/captured_step.h"
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

// SplitMix64's finaliser: well-mixed seeds from small consecutive inputs.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The message's bytes, the same for the same message in every process.
std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream output(&bytes);
    google::protobuf::io::CodedOutputStream coded(&output);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

}  // namespace

TrainingLoop::TrainingLoop(TrainingJob* job, torch::nn::Module* network,
                           const OptimizerSpec& optimizer, int epochs, const Runtime& runtime,
                           Replicas* replicas, std::unique_ptr<Loader> train_loader,
                           RunDirectory run)
    : job_(job),
      network_(network),
      optimizer_spec_(optimizer),
      epochs_(epochs),
      device_(runtime.device),
      bfloat16_(runtime.bfloat16),
      cuda_graphs_(runtime.cuda_graphs),
      replicas_(replicas),
      train_loader_(std::move(train_loader)),
      run_(std::move(run)),
      step_(optimizer, network->parameters(), replicas),
      base_seed_(at::detail::getDefaultCPUGenerator().current_seed()) {}

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
    const Checkpoint checkpoint = MakeCheckpoint();
    MDENAS_RETURN_IF_ERROR(CheckReplicasAgree(checkpoint, epoch));
    if (!writes_results()) continue;
    MDENAS_RETURN_IF_ERROR(mdenas::WriteCheckpoint(run_, checkpoint));
    MDENAS_RETURN_IF_ERROR(job_->WriteResults());
    MDENAS_RETURN_IF_ERROR(WriteRunReports(run_.path()).status());
    const double per_epoch = SecondsSince(session_start) / (epoch - first + 1);
    progress->EndEpoch(record, job_->PathText(record), seconds_, per_epoch * (epochs_ - epoch));
  }
  return absl::OkStatus();
}

absl::Status TrainingLoop::CheckReplicasAgree(const Checkpoint& checkpoint, int epoch) const {
  if (replicas_->count() == 1) return absl::OkStatus();
  // Identical replicas compute identical states; a difference (a
  // nondeterministic kernel, a rank started from another checkpoint) stops
  // the run here rather than letting the replicas drift apart.
  Checkpoint compared = checkpoint;
  compared.mutable_training()->clear_epochs();
  compared.mutable_training()->clear_seconds();
  // Replicas draw (dropout, drop-path) as many numbers as their shards have
  // images, which may differ by one; replica 0's generator is kept.
  compared.mutable_training()->clear_torch_rng();
  return CollectiveError(
      replicas_->CheckSame(absl::StrCat("the weights and the job's state after epoch ", epoch),
                           DeterministicBytes(compared)),
      epoch, 0);
}

absl::Status TrainingLoop::CollectiveError(const absl::Status& status, int epoch,
                                           int64_t batch) const {
  if (status.ok()) return status;
  return absl::Status(
      status.code(),
      absl::StrCat("epoch ", epoch, batch > 0 ? absl::StrCat(", batch ", batch) : "", ": ",
                   status.message(), "\nthe last complete epoch is ", epochs_done_,
                   epochs_done_ > 0
                       ? absl::StrCat("; its checkpoint in ", run_.path(),
                                      " is intact: --resume=", run_.path(), " continues the run")
                       : ""));
}

int64_t TrainingLoop::BatchParts() const {
  return int64_t{replicas_->count()} * optimizer_spec_.micro_batches();
}

std::string TrainingLoop::WhyNoCudaGraph() const {
  if (!cuda_graphs_) return "runtime.cuda_graphs is false";
  if (!device_.is_cuda()) return absl::StrCat("the device is ", device_.str());
  if (capture_failed_) return no_graph_because_;
  if (const int64_t parts = BatchParts(); parts > 1) {
    return absl::StrCat("each batch is cut into ", parts,
                        " parts (processes x optimizer.micro_batches)");
  }
  if (!job_->SameForwardEveryStep()) return "the forward pass changes between steps";
  return "";
}

std::string TrainingLoop::CudaGraphUse() const {
  if (graph_steps_ == 0) return absl::StrCat("not used: ", no_graph_because_);
  return absl::StrCat("replayed ", graph_steps_, " of ", steps_, " training steps",
                      no_graph_because_.empty() ? "" : "; then not used: ", no_graph_because_);
}

absl::Status TrainingLoop::TrainEpoch(int epoch, ProgressReporter* progress, EpochRecord* record) {
  const double learning_rate = LearningRateAt(optimizer_spec_, epoch - 1, epochs_);
  step_.SetLearningRate(learning_rate);
  network_->train();
  train_loader_->StartEpoch(epoch - 1);
  progress->StartEpoch(epoch, train_loader_->batches_per_epoch());
  const auto start = std::chrono::steady_clock::now();
  // This replica's sums; the record's are every replica's.
  double loss_sum = 0;
  int64_t correct = 0, seen = 0, batches = 0, whole_seen = 0;
  int skipped = 0, graph_steps = 0;
  const int64_t parts = BatchParts();
  no_graph_because_ = WhyNoCudaGraph();
  // The epoch's step as a CUDA graph, captured after the epoch's first eager
  // steps have made cuDNN's choices and the momentum buffers of its path.
  constexpr int kEagerStepsBeforeCapture = 2;
  std::unique_ptr<CapturedStep> captured;
  const auto forward = [this](const torch::Tensor& images, const torch::Tensor& labels) {
    return job_->Forward(images, labels);
  };
  while (std::optional<Batch> batch = train_loader_->Next()) {
    ++batches;
    // A batch with fewer images than pieces (only an epoch's last can be)
    // is left out.
    if (batch->whole_size < parts) continue;
    const torch::Tensor images = batch->images.to(device_);
    const torch::Tensor labels = batch->labels.to(device_);
    if (no_graph_because_.empty() && !captured && batches > kEagerStepsBeforeCapture) {
      absl::StatusOr<std::unique_ptr<CapturedStep>> capture =
          CapturedStep::Capture(forward, &step_, images, labels, bfloat16_);
      if (capture.ok()) {
        captured = *std::move(capture);
      } else {
        capture_failed_ = true;
        no_graph_because_ = std::string(capture.status().message());
      }
    }
    StepOutcome step;
    job_->StartStep();
    if (captured && captured->Accepts(images, labels)) {
      const CapturedStep::Outputs& outputs = captured->Run(images, labels);
      step.loss = outputs.loss.item<double>();
      step.correct = TopKCorrect(outputs.logits, labels, 1);
      step.updated = outputs.updated.item<bool>();
      ++graph_steps;
    } else {
      MDENAS_ASSIGN_OR_RETURN(step,
                              EagerStep(images, labels, batch->whole_size, epoch, batches));
    }
    ++steps_;
    if (!step.updated) {
      if (optimizer_spec_.on_non_finite() == OptimizerSpec::STOP) {
        return NonFiniteStepError(epoch, batches, step.loss, epochs_done_, run_.path());
      }
      ++skipped;
      continue;
    }
    job_->AfterStep();
    loss_sum += step.loss * batch->whole_size;
    correct += step.correct;
    seen += labels.size(0);
    whole_seen += batch->whole_size;
    // This replica's accuracy, with the whole batch's share of the loss.
    progress->Batch(batches, loss_sum / whole_seen, 100.0 * correct / seen);
  }
  graph_steps_ += graph_steps;
  if (graph_steps == 0 && no_graph_because_.empty()) {
    no_graph_because_ = absl::StrCat("the epoch had no step after its first ",
                                     kEagerStepsBeforeCapture, ", which run eagerly");
  }
  MDENAS_RETURN_IF_ERROR(train_loader_->status());
  absl::StatusOr<std::vector<double>> sums =
      replicas_->Sum({loss_sum, static_cast<double>(correct), static_cast<double>(seen)});
  // Evaluations then see the same network everywhere.
  absl::Status averaged = sums.status();
  if (averaged.ok()) averaged = replicas_->AverageBuffers(network_->buffers());
  MDENAS_RETURN_IF_ERROR(CollectiveError(averaged, epoch, 0));
  const double images = std::max((*sums)[2], 1.0);
  record->set_learning_rate(learning_rate);
  record->set_train_loss((*sums)[0] / images);
  record->set_train_top1(100.0 * (*sums)[1] / images);
  record->set_skipped_steps(skipped);
  if (graph_steps > 0) record->set_graph_steps(graph_steps);
  record->set_images_per_second((*sums)[2] / SecondsSince(start));
  return absl::OkStatus();
}

absl::StatusOr<TrainingLoop::StepOutcome> TrainingLoop::EagerStep(const torch::Tensor& images,
                                                                  const torch::Tensor& labels,
                                                                  int64_t whole_size, int epoch,
                                                                  int64_t batch) {
  const int64_t parts = BatchParts();
  step_.ClearGradients();
  // Each micro-batch's mean loss weighted by its share of the whole batch
  // (all replicas' shards): the gradients, summed over the micro-batches
  // and the replicas, are those of the batch's mean loss.
  const std::vector<torch::Tensor> micro_images =
      images.tensor_split(optimizer_spec_.micro_batches());
  const std::vector<torch::Tensor> micro_labels =
      labels.tensor_split(optimizer_spec_.micro_batches());
  StepOutcome outcome;
  bool finite = true;
  std::optional<MicroBatchStatistics> statistics;
  if (micro_images.size() > 1) statistics.emplace(*network_);
  for (size_t m = 0; m < micro_images.size() && finite; ++m) {
    // A batch cut into parts draws its random numbers (dropout,
    // drop-path) part by part, each from a seed of its own, so that a
    // part draws the same whichever replica trains it.
    if (parts > 1) {
      const uint64_t part = static_cast<uint64_t>(replicas_->rank()) * micro_images.size() + m;
      torch::manual_seed(Mix(base_seed_ ^ Mix(Mix(epoch) ^ Mix(batch << 20 | part))));
    }
    TrainingOutput output;
    {
      AutocastScope autocast(device_.type(), bfloat16_);
      output = job_->Forward(micro_images[m], micro_labels[m]);
    }
    const double share = static_cast<double>(micro_labels[m].size(0)) / whole_size;
    outcome.loss += output.loss.item<double>() * share;
    outcome.correct += TopKCorrect(output.logits, micro_labels[m], 1);
    finite = step_.Backward(output.loss * share);
    // After the backward pass, which may read the statistics it saved.
    if (statistics) statistics->EndMicroBatch();
  }
  if (statistics) statistics->Finish(static_cast<int>(micro_images.size()));
  // One replica's non-finite loss skips the step on all.
  absl::StatusOr<bool> all_finite = replicas_->AllTrue(finite);
  if (all_finite.ok() && *all_finite) all_finite = step_.Update();
  MDENAS_RETURN_IF_ERROR(CollectiveError(all_finite.status(), epoch, batch));
  outcome.updated = *all_finite;
  return outcome;
}

Checkpoint TrainingLoop::MakeCheckpoint() const {
  Checkpoint checkpoint;
  TrainingState* state = checkpoint.mutable_training();
  state->set_epochs_done(epochs_done_);
  *state->mutable_epochs() = records_;
  state->set_torch_rng(CpuGeneratorState());
  *state->mutable_network() = ModuleState(*network_);
  *state->mutable_optimizer() = SgdState(step_.optimizer());
  state->set_seconds(seconds_);
  job_->SaveState(&checkpoint);
  return checkpoint;
}

double EvaluationCounts::top1_percent() const {
  return 100.0 * top1 / std::max<int64_t>(images, 1);
}

double EvaluationCounts::top5_percent() const {
  return 100.0 * top5 / std::max<int64_t>(images, 1);
}

absl::StatusOr<Evaluation> TrainingLoop::Evaluate(
    Loader& loader, const std::function<torch::Tensor(const torch::Tensor& images)>& logits_of,
    const std::function<void(int64_t batch)>& start_batch) {
  torch::NoGradGuard no_grad;
  network_->eval();
  // Unshuffled and unaugmented: every epoch of an evaluation loader is the
  // same.
  loader.StartEpoch(0);
  // top1, top5, images of each batch, this replica's.
  std::vector<double> counts;
  for (int64_t b = 0; std::optional<Batch> batch = loader.Next(); ++b) {
    if (start_batch) start_batch(b);
    const std::vector<torch::Tensor> images =
        batch->images.tensor_split(optimizer_spec_.micro_batches());
    const std::vector<torch::Tensor> labels =
        batch->labels.tensor_split(optimizer_spec_.micro_batches());
    double top1 = 0, top5 = 0;
    for (size_t m = 0; m < images.size(); ++m) {
      if (labels[m].size(0) == 0) continue;
      const torch::Tensor part_labels = labels[m].to(device_);
      AutocastScope autocast(device_.type(), bfloat16_);
      const torch::Tensor logits = logits_of(images[m].to(device_));
      top1 += TopKCorrect(logits, part_labels, 1);
      top5 += TopKCorrect(logits, part_labels, 5);
    }
    counts.insert(counts.end(), {top1, top5, static_cast<double>(batch->labels.size(0))});
  }
  MDENAS_RETURN_IF_ERROR(loader.status());
  MDENAS_ASSIGN_OR_RETURN(counts, replicas_->Sum(counts));
  Evaluation evaluation;
  for (size_t i = 0; i < counts.size(); i += 3) {
    EvaluationCounts& batch = evaluation.batches.emplace_back();
    batch.top1 = static_cast<int64_t>(counts[i]);
    batch.top5 = static_cast<int64_t>(counts[i + 1]);
    batch.images = static_cast<int64_t>(counts[i + 2]);
    evaluation.total.top1 += batch.top1;
    evaluation.total.top5 += batch.top5;
    evaluation.total.images += batch.images;
  }
  return evaluation;
}

}  // namespace mdenas
