#include "eval/retrain.h"

#include <torch/torch.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "eval/latency.h"
#include "mdenas/base/resource_usage.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/nn/layers.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/run/runtime.h"
#include "mdenas/space/network_size.h"
#include "mdenas/space/network_weights.h"
#include "mdenas/space/spaces.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/training/epoch_records.h"
#include "mdenas/training/training_loop.h"

namespace mdenas {

class Retraining::Impl : public TrainingJob {
 public:
  Impl(const EvalSpec& spec, const Architecture& architecture, TrainingData data,
       Replicas* replicas)
      : spec_(spec), architecture_(architecture), data_(std::move(data)), replicas_(replicas) {}

  absl::Status Initialize(RunDirectory run, bool resume) {
    MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<SearchSpace> space,
                            SearchSpaceOf(spec_.network()));
    space_name_ = space->name();
    MDENAS_ASSIGN_OR_RETURN(architecture_dot_, space->ArchitectureDot(architecture_));
    MDENAS_ASSIGN_OR_RETURN(
        const Runtime runtime,
        SetUpRuntime(spec_.runtime(), replicas_->count_here(), replicas_->rank_here()));
    device_description_ = runtime.description;
    precision_ = PrecisionName(runtime);
    torch::manual_seed(spec_.runtime().seed());
    inputs_ = {data_.shape.channels, data_.shape.height,     data_.shape.width,
               data_.classes,        spec_.data().dataset(), runtime.kernels};
    MDENAS_ASSIGN_OR_RETURN(network_, space->MakeNetwork(architecture_, spec_.network(), inputs_));
    if (!resume && !spec_.init_weights().empty()) {
      MDENAS_RETURN_IF_ERROR(LoadNetworkWeights(spec_.init_weights(), network_.get()));
    }
    parameters_ = CountParameters(*network_, /*include_auxiliary=*/false);
    macs_ = NetworkMacs(*network_, inputs_);
    network_->to(runtime.device);
    MDENAS_ASSIGN_OR_RETURN(
        TrainingLoaders loaders,
        MakeTrainingLoaders(data_, spec_.data().loader_threads(), spec_.batch_size(),
                            spec_.runtime().seed(), replicas_->rank(), replicas_->count(),
                            runtime.device));
    test_loader_ = std::move(loaders.eval);
    loop_ = std::make_unique<TrainingLoop>(this, network_.get(), spec_.optimizer(), spec_.epochs(),
                                           runtime, replicas_, std::move(loaders.train),
                                           std::move(run));
    return resume ? Restore() : absl::OkStatus();
  }

  absl::Status Run(ProgressReporter* progress, int stop_after) {
    MDENAS_RETURN_IF_ERROR(loop_->Run(progress, stop_after));
    // Measured by the process that writes the results; other replicas'
    // work would distort it.
    if (latency_.empty() && loop_->writes_results() && loop_->epochs_done() == spec_.epochs()) {
      for (int batch : {1, 8}) {
        latency_.push_back(MeasureLatency(*network_, batch, inputs_.channels, inputs_.height,
                                          inputs_.width, loop_->device(), device_description_));
      }
      MDENAS_RETURN_IF_ERROR(WriteResults());
    }
    return absl::OkStatus();
  }

  int epochs_done() const { return loop_->epochs_done(); }

  RunResult result() const {
    RunResult result;
    *result.mutable_eval_spec() = spec_;
    FillDefaults(result.mutable_eval_spec());
    result.set_space(space_name_);
    result.set_architecture(architecture_.text);
    *result.mutable_epochs() = loop_->records();
    result.set_device(device_description_);
    result.set_precision(precision_);
    result.set_cuda_graphs(loop_->CudaGraphUse());
    result.set_wall_seconds(loop_->seconds());
    result.set_device_hours(loop_->seconds() * replicas_->count() / 3600.0);
    result.set_processes(replicas_->count());
    result.set_images_per_second(
        MeanImagesPerSecond(loop_->records(), static_cast<int64_t>(data_.train_images.size())));
    result.set_peak_rss_bytes(PeakResidentBytes());
    result.set_data(data_.description);
    result.set_train_images(static_cast<int64_t>(data_.train_images.size()));
    result.set_validation_images(static_cast<int64_t>(data_.eval_images.size()));
    if (!loop_->records().empty()) {
      result.set_test_top1(loop_->records().rbegin()->valid_top1());
      result.set_test_top5(test_top5_);
    }
    result.set_parameters(parameters_);
    result.set_macs(macs_);
    for (const Latency& latency : latency_) *result.add_latency() = latency;
    result.set_protocol(absl::StrCat("retrained ", spec_.epochs(), " epochs, ",
                                     network_->Description(), ", batch ", spec_.batch_size(),
                                     ", cutout ", spec_.cutout_length(), ", ",
                                     data_.train_images.size(), " training images"));
    return result;
  }

  // --- TrainingJob --------------------------------------------------------

  void StartEpoch(int epoch, EpochRecord*) override { network_->StartEpoch(epoch, spec_.epochs()); }

  // One architecture; drop-path's masks come from the device's generator,
  // which a CUDA graph advances at every replay.
  bool SameForwardEveryStep() const override { return true; }

  TrainingOutput Forward(const torch::Tensor& images, const torch::Tensor& labels) override {
    NetworkOutput output = network_->forward(images);
    torch::Tensor loss = torch::nn::functional::cross_entropy(output.logits, labels);
    if (output.auxiliary_logits.defined()) {
      loss = loss + output.auxiliary_weight *
                        torch::nn::functional::cross_entropy(output.auxiliary_logits, labels);
    }
    return {std::move(loss), std::move(output.logits)};
  }

  absl::Status EndEpoch(EpochRecord* record) override {
    MDENAS_ASSIGN_OR_RETURN(const Evaluation evaluation,
                            loop_->Evaluate(*test_loader_, [&](const torch::Tensor& images) {
                              return network_->forward(images).logits;
                            }));
    record->set_valid_top1(evaluation.total.top1_percent());
    test_top5_ = evaluation.total.top5_percent();
    return absl::OkStatus();
  }

  void SaveState(Checkpoint* checkpoint) const override {
    RetrainingState* state = checkpoint->mutable_retraining();
    *state->mutable_spec() = spec_;
    state->set_architecture(architecture_.text);
    state->set_test_top5(test_top5_);
  }

  absl::Status WriteResults() const override {
    const RunDirectory& run = loop_->run();
    MDENAS_RETURN_IF_ERROR(run.WriteJson(kResultFile, result()));
    MDENAS_RETURN_IF_ERROR(run.WriteText(kArchitectureFile, architecture_.text + "\n"));
    MDENAS_RETURN_IF_ERROR(run.WriteText(kArchitectureDotFile, architecture_dot_));
    MDENAS_RETURN_IF_ERROR(run.WriteText(kWeightsFile, NetworkWeightsBytes(*network_)));
    return run.WriteText(kEpochsFile, EpochsCsv(loop_->records(), nullptr));
  }

 private:
  absl::Status Restore() {
    const RunDirectory& run = loop_->run();
    MDENAS_ASSIGN_OR_RETURN(const Checkpoint checkpoint,
                            ReadCheckpointOf(run, "retraining", &spec_));
    absl::Status status =
        checkpoint.retraining().architecture() == architecture_.text
            ? loop_->Restore(checkpoint.training())
            : absl::FailedPreconditionError("the checkpoint trains another architecture");
    if (!status.ok()) {
      return absl::Status(status.code(),
                          absl::StrCat(run.File(kCheckpointFile), ": ", status.message()));
    }
    test_top5_ = checkpoint.retraining().test_top5();
    return absl::OkStatus();
  }

  const EvalSpec spec_;
  const Architecture architecture_;
  const TrainingData data_;
  Replicas* const replicas_;
  std::string space_name_;
  std::string architecture_dot_;
  std::string device_description_;
  std::string precision_;
  NetworkInputs inputs_;
  std::shared_ptr<Network> network_;
  int64_t parameters_ = 0;
  int64_t macs_ = 0;
  std::unique_ptr<Loader> test_loader_;
  std::unique_ptr<TrainingLoop> loop_;
  double test_top5_ = 0;
  std::vector<Latency> latency_;
};

Retraining::Retraining(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Retraining::~Retraining() = default;

absl::StatusOr<std::unique_ptr<Retraining>> Retraining::Create(const EvalSpec& spec,
                                                               const Architecture& architecture,
                                                               TrainingData data, RunDirectory run,
                                                               bool resume, Replicas* replicas) {
  auto impl = std::make_unique<Impl>(spec, architecture, std::move(data), replicas);
  MDENAS_RETURN_IF_ERROR(impl->Initialize(std::move(run), resume));
  return std::unique_ptr<Retraining>(new Retraining(std::move(impl)));
}

absl::Status Retraining::Run(ProgressReporter* progress, int stop_after) {
  return impl_->Run(progress, stop_after);
}

int Retraining::epochs_done() const { return impl_->epochs_done(); }
RunResult Retraining::result() const { return impl_->result(); }

absl::StatusOr<std::unique_ptr<Retraining>> RunNewRetraining(const EvalSpec& spec,
                                                             const Architecture& architecture,
                                                             ProgressReporter* progress) {
  MDENAS_ASSIGN_OR_RETURN(TrainingData data, OpenRetrainingData(spec.data(), spec.cutout_length()));
  MDENAS_ASSIGN_OR_RETURN(RunDirectory run,
                          RunDirectory::Create(spec.runtime().output_dir(), spec));
  MDENAS_ASSIGN_OR_RETURN(
      std::unique_ptr<Retraining> retraining,
      Retraining::Create(spec, architecture, std::move(data), std::move(run), false));
  MDENAS_RETURN_IF_ERROR(retraining->Run(progress));
  return retraining;
}

}  // namespace mdenas
