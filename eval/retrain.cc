#include "eval/retrain.h"

#include <chrono>
#include <cmath>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "data/loader.h"
#include "eval/latency.h"
#include "mdenas/base/framed_file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/run/runtime.h"
#include "mdenas/space/darts/eval_network.h"
#include "mdenas/nn/layers.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/training/sgd.h"
#include "mdenas/training/tensor_state.h"

namespace mdenas {
namespace {

constexpr char kCheckpointMagic[] = "MDNSEVAL";
// Bumped whenever EvalCheckpoint changes meaning.
constexpr int kCheckpointVersion = 1;

// Correct predictions among the `k` highest logits of each row.
int64_t TopKCorrect(const torch::Tensor& logits, const torch::Tensor& labels,
                    int64_t k) {
  const torch::Tensor top =
      std::get<1>(logits.topk(std::min<int64_t>(k, logits.size(1)), 1));
  return top.eq(labels.unsqueeze(1)).any(1).sum().item<int64_t>();
}

}  // namespace

absl::StatusOr<RetrainData> LoadRetrainData(const EvalSpec& spec) {
  RetrainData data;
  MDENAS_ASSIGN_OR_RETURN(data.data,
                          OpenDataSpec(spec.data(), spec.data().path(), 0));
  MDENAS_ASSIGN_OR_RETURN(
      data.transforms,
      MakeDataTransforms(spec.data().dataset(), spec.cutout_length()));
  data.description = absl::StrCat(
      DataSpec::Dataset_Name(spec.data().dataset()), ", ",
      DataFormatName(data.data.dataset.location.format), " at ",
      data.data.dataset.location.directory, ": ", data.data.train.size(),
      " training and ", data.data.test.size(), " test images");
  return data;
}

absl::StatusOr<EvalCheckpoint> ReadEvalCheckpoint(const RunDirectory& run,
                                                  const EvalSpec* spec) {
  const std::string path = run.File(kCheckpointFile);
  MDENAS_ASSIGN_OR_RETURN(const std::string payload,
                          ReadFramedFile(path, kCheckpointMagic));
  EvalCheckpoint checkpoint;
  if (!checkpoint.ParseFromString(payload)) {
    return absl::DataLossError(absl::StrCat(
        path, ": not a retraining checkpoint (unreadable contents)"));
  }
  if (checkpoint.format_version() != kCheckpointVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": checkpoint format version ", checkpoint.format_version(),
        "; this build reads version ", kCheckpointVersion));
  }
  if (spec != nullptr && !SameRunSpec(checkpoint.spec(), *spec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": the checkpoint belongs to another spec; resume without "
              "--spec and spec flags to continue the run as it was started"));
  }
  return checkpoint;
}

class Retraining::Impl {
 public:
  Impl(const EvalSpec& spec, const Genotype& genotype, RetrainData data,
       RunDirectory run)
      : spec_(spec),
        genotype_(genotype),
        data_(std::move(data)),
        run_(std::move(run)) {}

  absl::Status Initialize(bool resume) {
    MDENAS_ASSIGN_OR_RETURN(const Runtime runtime, SetUpRuntime(spec_.runtime()));
    device_ = runtime.device;
    device_description_ = runtime.description;
    torch::manual_seed(spec_.runtime().seed());
    shape_ = data_.transforms.train->output_shape();
    const DartsNetworkSpec& net = spec_.network().darts();
    network_ = EvalNetwork(
        genotype_,
        EvalNetworkOptions()
            .stem(spec_.data().dataset() == DataSpec::IMAGENET
                      ? EvalStem::kImageNet
                      : EvalStem::kCifar)
            .input_channels(shape_.channels)
            .num_classes(static_cast<int64_t>(
                data_.data.dataset.train->class_names().size()))
            .layers(net.layers())
            .init_channels(net.init_channels())
            .auxiliary(net.auxiliary())
            .classifier_dropout(net.classifier_dropout())
            .pool_bn(net.pool_bn())
            .kernels(runtime.kernels));
    parameters_ = CountParameters(*network_, /*include_auxiliary=*/false);
    macs_ = CountMacs(*network_, shape_.height, shape_.width);
    network_->to(device_);
    optimizer_ = MakeSgd(spec_.optimizer(), network_->parameters());

    MDENAS_ASSIGN_OR_RETURN(
        RunLoaders loaders,
        MakeRunLoaders(spec_.data(), data_.transforms, data_.data.dataset.train,
                       data_.data.train, data_.data.dataset.test,
                       data_.data.test, spec_.batch_size(),
                       spec_.runtime().seed()));
    train_loader_ = std::move(loaders.train);
    test_loader_ = std::move(loaders.eval);
    return resume ? Restore() : absl::OkStatus();
  }

  absl::Status Run(ProgressReporter* progress, int stop_after) {
    const int epochs = spec_.epochs();
    const int first = epochs_done_ + 1;
    const auto session_start = std::chrono::steady_clock::now();
    for (int epoch = first; epoch <= epochs; ++epoch) {
      if (stop_after > 0 && epoch > stop_after) return absl::OkStatus();
      const auto start = std::chrono::steady_clock::now();
      EpochRecord record;
      record.set_epoch(epoch);
      MDENAS_RETURN_IF_ERROR(TrainEpoch(epoch, progress, &record));
      MDENAS_RETURN_IF_ERROR(TestEpoch(&record));
      record.set_seconds(SecondsSince(start));
      seconds_ += record.seconds();
      epochs_done_ = epoch;
      *records_.Add() = record;
      MDENAS_RETURN_IF_ERROR(WriteCheckpoint());
      MDENAS_RETURN_IF_ERROR(WriteResults());
      const double per_epoch = SecondsSince(session_start) / (epoch - first + 1);
      progress->EndEpoch(record, "", seconds_, per_epoch * (epochs - epoch));
    }
    if (latency_.empty() && epochs_done_ == epochs) {
      for (int batch : {1, 8}) {
        latency_.push_back(MeasureLatency(*network_, batch, shape_.channels,
                                          shape_.height, shape_.width, device_,
                                          device_description_));
      }
      MDENAS_RETURN_IF_ERROR(WriteResults());
    }
    return absl::OkStatus();
  }

  int epochs_done() const { return epochs_done_; }

  RunResult result() const {
    RunResult result;
    *result.mutable_eval_spec() = spec_;
    FillDefaults(result.mutable_eval_spec());
    *result.mutable_genotype() = ToProto(genotype_);
    *result.mutable_epochs() = records_;
    result.set_device(device_description_);
    result.set_wall_seconds(seconds_);
    result.set_device_hours(seconds_ / 3600.0);
    result.set_images_per_second(MeanImagesPerSecond(
        records_, static_cast<int64_t>(data_.data.train.size())));
    result.set_peak_rss_bytes(PeakResidentBytes());
    result.set_data(data_.description);
    result.set_train_images(static_cast<int64_t>(data_.data.train.size()));
    result.set_validation_images(static_cast<int64_t>(data_.data.test.size()));
    if (!records_.empty()) {
      result.set_test_top1(records_.rbegin()->valid_top1());
      result.set_test_top5(test_top5_);
    }
    result.set_parameters(parameters_);
    result.set_macs(macs_);
    for (const Latency& latency : latency_) *result.add_latency() = latency;
    const DartsNetworkSpec& net = spec_.network().darts();
    result.set_protocol(absl::StrCat(
        "retrained ", spec_.epochs(), " epochs, ", net.layers(), " cells x ",
        net.init_channels(), " channels, batch ", spec_.batch_size(),
        ", cutout ", spec_.cutout_length(), ", drop-path ",
        net.drop_path_prob(), net.auxiliary()
                                  ? absl::StrCat(", auxiliary weight ",
                                                 net.auxiliary_weight())
                                  : "",
        ", ", data_.data.train.size(), " training images"));
    return result;
  }

 private:
  absl::Status TrainEpoch(int epoch, ProgressReporter* progress,
                          EpochRecord* record) {
    const double learning_rate =
        LearningRateAt(spec_.optimizer(), epoch - 1, spec_.epochs());
    SetLearningRate(optimizer_.get(), learning_rate);
    // DARTS ramps drop-path linearly: 0 in the first epoch.
    network_->set_drop_path_prob(spec_.network().darts().drop_path_prob() *
                                 (epoch - 1) / spec_.epochs());
    network_->train();
    train_loader_->StartEpoch(epoch - 1);
    progress->StartEpoch(epoch, train_loader_->batches_per_epoch());
    const std::vector<torch::Tensor> parameters = network_->parameters();
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    int64_t correct = 0, seen = 0, batches = 0;
    int skipped = 0;
    while (std::optional<Batch> batch = train_loader_->Next()) {
      ++batches;
      const torch::Tensor images = batch->images.to(device_);
      const torch::Tensor labels = batch->labels.to(device_);
      ClearGradients(parameters);
      const EvalOutput output = network_->forward(images);
      torch::Tensor loss =
          torch::nn::functional::cross_entropy(output.logits, labels);
      if (output.auxiliary_logits.defined()) {
        loss = loss + spec_.network().darts().auxiliary_weight() *
                          torch::nn::functional::cross_entropy(
                              output.auxiliary_logits, labels);
      }
      const double loss_value = loss.item<double>();
      if (!BackwardAndStep(loss, spec_.optimizer(), optimizer_.get())) {
        if (spec_.optimizer().on_non_finite() == OptimizerSpec::STOP) {
          return NonFiniteStepError(epoch, batches, loss_value, epochs_done_,
                                    run_.path());
        }
        ++skipped;
        continue;
      }
      const int64_t n = labels.size(0);
      loss_sum += loss_value * n;
      correct += TopKCorrect(output.logits, labels, 1);
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

  absl::Status TestEpoch(EpochRecord* record) {
    torch::NoGradGuard no_grad;
    network_->eval();
    test_loader_->StartEpoch(0);
    int64_t top1 = 0, top5 = 0, seen = 0;
    while (std::optional<Batch> batch = test_loader_->Next()) {
      const torch::Tensor labels = batch->labels.to(device_);
      const torch::Tensor logits =
          network_->forward(batch->images.to(device_)).logits;
      top1 += TopKCorrect(logits, labels, 1);
      top5 += TopKCorrect(logits, labels, 5);
      seen += labels.size(0);
    }
    MDENAS_RETURN_IF_ERROR(test_loader_->status());
    record->set_valid_top1(100.0 * top1 / std::max<int64_t>(seen, 1));
    test_top5_ = 100.0 * top5 / std::max<int64_t>(seen, 1);
    return absl::OkStatus();
  }

  absl::Status WriteCheckpoint() {
    EvalCheckpoint checkpoint;
    checkpoint.set_format_version(kCheckpointVersion);
    *checkpoint.mutable_spec() = spec_;
    *checkpoint.mutable_genotype() = ToProto(genotype_);
    checkpoint.set_epochs_done(epochs_done_);
    *checkpoint.mutable_epochs() = records_;
    checkpoint.set_torch_rng(CpuGeneratorState());
    *checkpoint.mutable_network() = ModuleState(*network_);
    *checkpoint.mutable_optimizer() = SgdState(*optimizer_);
    checkpoint.set_seconds(seconds_);
    checkpoint.set_test_top5(test_top5_);
    return WriteFramedFile(run_.File(kCheckpointFile), kCheckpointMagic,
                           checkpoint.SerializeAsString());
  }

  absl::Status Restore() {
    MDENAS_ASSIGN_OR_RETURN(const EvalCheckpoint checkpoint,
                            ReadEvalCheckpoint(run_, &spec_));
    const std::string path = run_.File(kCheckpointFile);
    auto fail = [&](const absl::Status& status) {
      return absl::DataLossError(absl::StrCat(path, ": ", status.message()));
    };
    if (checkpoint.epochs_done() < 1 ||
        checkpoint.epochs_done() > spec_.epochs() ||
        checkpoint.epochs_size() != checkpoint.epochs_done()) {
      return fail(absl::DataLossError(absl::StrCat(
          "inconsistent epoch count ", checkpoint.epochs_done())));
    }
    if (!(FromProto(checkpoint.genotype()) == genotype_)) {
      return fail(absl::FailedPreconditionError(
          "the checkpoint trains another genotype"));
    }
    absl::Status status = LoadModuleState(checkpoint.network(), network_.get());
    if (status.ok()) status = LoadSgdState(checkpoint.optimizer(), optimizer_.get());
    if (status.ok()) status = LoadCpuGeneratorState(checkpoint.torch_rng());
    if (!status.ok()) return fail(status);
    epochs_done_ = checkpoint.epochs_done();
    records_ = checkpoint.epochs();
    seconds_ = checkpoint.seconds();
    test_top5_ = checkpoint.test_top5();
    return absl::OkStatus();
  }

  absl::Status WriteResults() const {
    MDENAS_RETURN_IF_ERROR(run_.WriteJson(kResultFile, result()));
    MDENAS_RETURN_IF_ERROR(
        run_.WriteText(kGenotypeFile, FormatDartsGenotype(genotype_) + "\n"));
    return run_.WriteText(kEpochsFile, EpochsCsv(records_, nullptr));
  }

  const EvalSpec spec_;
  const Genotype genotype_;
  const RetrainData data_;
  const RunDirectory run_;
  torch::Device device_ = torch::kCPU;
  std::string device_description_;
  ChwShape shape_;
  EvalNetwork network_{nullptr};
  int64_t parameters_ = 0;
  int64_t macs_ = 0;
  std::unique_ptr<torch::optim::SGD> optimizer_;
  std::unique_ptr<Loader> train_loader_;
  std::unique_ptr<Loader> test_loader_;
  int epochs_done_ = 0;
  google::protobuf::RepeatedPtrField<EpochRecord> records_;
  double seconds_ = 0;
  double test_top5_ = 0;
  std::vector<Latency> latency_;
};

Retraining::Retraining(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Retraining::~Retraining() = default;

absl::StatusOr<std::unique_ptr<Retraining>> Retraining::Create(
    const EvalSpec& spec, const Genotype& genotype, RetrainData data,
    RunDirectory run, bool resume) {
  auto impl =
      std::make_unique<Impl>(spec, genotype, std::move(data), std::move(run));
  MDENAS_RETURN_IF_ERROR(impl->Initialize(resume));
  return std::unique_ptr<Retraining>(new Retraining(std::move(impl)));
}

absl::Status Retraining::Run(ProgressReporter* progress, int stop_after) {
  return impl_->Run(progress, stop_after);
}

int Retraining::epochs_done() const { return impl_->epochs_done(); }
RunResult Retraining::result() const { return impl_->result(); }

}  // namespace mdenas
