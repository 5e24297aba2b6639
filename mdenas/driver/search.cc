#include "mdenas/driver/search.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <sstream>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "data/loader.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/run/runtime.h"
#include "mdenas/driver/search_checkpoint.h"
#include "mdenas/space/darts/derive_genotype.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/space/darts/supernet.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/training/sgd.h"
#include "mdenas/training/tensor_state.h"

namespace mdenas {
namespace {

UpdateRule RuleOf(LearnerSpec::Update update) {
  return update == LearnerSpec::PAIRWISE_TRANSFER
             ? UpdateRule::kPairwiseTransfer
             : UpdateRule::kVectorClamp;
}

}  // namespace

absl::StatusOr<SearchData> LoadSearchData(const SearchSpec& spec) {
  SearchData data;
  MDENAS_ASSIGN_OR_RETURN(
      data.data, OpenDataSpec(spec.data(), spec.data().path(), spec.split_seed()));
  MDENAS_ASSIGN_OR_RETURN(
      data.split,
      SplitTrainValidation(data.data.train, data.data.dataset.train->labels(),
                           spec.train_fraction(), spec.split_seed()));
  if (data.split.train.empty() || data.split.validation.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        spec.data().path(), ": splitting ", data.data.train.size(),
        " images with train_fraction ", spec.train_fraction(),
        " leaves one side empty"));
  }
  MDENAS_ASSIGN_OR_RETURN(data.transforms,
                          MakeDataTransforms(spec.data().dataset(), 0));
  data.description = absl::StrCat(
      DataSpec::Dataset_Name(spec.data().dataset()), ", ",
      DataFormatName(data.data.dataset.location.format), " at ",
      data.data.dataset.location.directory, ": ", data.split.train.size(),
      " training and ", data.split.validation.size(), " validation images");
  return data;
}

class Search::Impl {
 public:
  Impl(const SearchSpec& spec, SearchData data, RunDirectory run)
      : spec_(spec),
        data_(std::move(data)),
        run_(std::move(run)),
        operations_(DartsOperations()),
        nodes_(spec.space().darts().nodes()),
        edges_(CellEdgeCount(nodes_)),
        learner_(2 * edges_, static_cast<int>(operations_.size()),
                 {spec.learner().alpha(), RuleOf(spec.learner().update())}),
        rng_(spec.runtime().seed()) {}

  absl::Status Initialize(bool resume) {
    MDENAS_ASSIGN_OR_RETURN(const Runtime runtime, SetUpRuntime(spec_.runtime()));
    device_ = runtime.device;
    device_description_ = runtime.description;
    torch::manual_seed(spec_.runtime().seed());
    const ChwShape shape = data_.transforms.train->output_shape();
    net_ = Supernet(
        SupernetOptions()
            .input_channels(shape.channels)
            .num_classes(static_cast<int64_t>(
                data_.data.dataset.train->class_names().size()))
            .layers(spec_.space().darts().layers())
            .init_channels(spec_.space().darts().init_channels())
            .nodes(nodes_)
            .operations(operations_)
            .kernels(runtime.kernels));
    net_->to(device_);
    optimizer_ = MakeSgd(spec_.optimizer(), net_->parameters());

    MDENAS_ASSIGN_OR_RETURN(
        RunLoaders loaders,
        MakeRunLoaders(spec_.data(), data_.transforms, data_.data.dataset.train,
                       data_.split.train, data_.data.dataset.train,
                       data_.split.validation, spec_.batch_size(),
                       spec_.runtime().seed()));
    train_loader_ = std::move(loaders.train);
    valid_loader_ = std::move(loaders.eval);
    return resume ? Restore() : absl::OkStatus();
  }

  absl::StatusOr<double> ValidationAccuracy(const std::vector<int>& path) {
    return Validate([&] { return path; }, /*record_batches=*/false);
  }

  absl::Status Run(ProgressReporter* progress, int stop_after) {
    const int epochs = spec_.epochs();
    const int first = epochs_done_ + 1;
    const auto session_start = std::chrono::steady_clock::now();
    for (int epoch = first; epoch <= epochs; ++epoch) {
      if (stop_after > 0 && epoch > stop_after) break;
      const auto start = std::chrono::steady_clock::now();
      EpochRecord record;
      record.set_epoch(epoch);
      MDENAS_RETURN_IF_ERROR(TrainEpoch(epoch, progress, &record));
      MDENAS_RETURN_IF_ERROR(ValidateEpoch(&record));
      learner_.FinishEpoch();
      if (epoch > spec_.learner().warmup_epochs()) learner_.Update();
      record.set_seconds(SecondsSince(start));
      seconds_ += record.seconds();
      epochs_done_ = epoch;
      *records_.Add() = record;
      *history_.Add() = learner_.ToProto();
      MDENAS_RETURN_IF_ERROR(WriteCheckpoint());
      MDENAS_RETURN_IF_ERROR(WriteResults());
      const double per_epoch =
          SecondsSince(session_start) / (epoch - first + 1);
      progress->EndEpoch(record, PathText(record), seconds_,
                         per_epoch * (epochs - epoch));
    }
    return absl::OkStatus();
  }

  int epochs_done() const { return epochs_done_; }
  const MultinomialLearner& learner() const { return learner_; }

  Genotype genotype() const {
    return DeriveGenotype(learner_, operations_, nodes_);
  }

  RunResult result() const {
    RunResult result;
    *result.mutable_search_spec() = spec_;
    FillDefaults(result.mutable_search_spec());
    *result.mutable_genotype() = ToProto(genotype());
    *result.mutable_epochs() = records_;
    result.set_device(device_description_);
    result.set_wall_seconds(seconds_);
    result.set_device_hours(seconds_ / 3600.0);
    result.set_images_per_second(MeanImagesPerSecond(
        records_, static_cast<int64_t>(data_.split.train.size())));
    result.set_peak_rss_bytes(PeakResidentBytes());
    result.set_data(data_.description);
    result.set_train_images(static_cast<int64_t>(data_.split.train.size()));
    result.set_validation_images(
        static_cast<int64_t>(data_.split.validation.size()));
    *result.mutable_distribution() = learner_.ToProto();
    result.set_mean_entropy(learner_.MeanEntropy());
    result.set_protocol(absl::StrCat(
        "MdeNAS search, ", spec_.epochs(), " epochs, ", spec_.space().darts().layers(),
        " cells x ", spec_.space().darts().init_channels(), " channels, ",
        LearnerSpec::Sampling_Name(spec_.learner().sampling()), " sampling, ",
        LearnerSpec::Update_Name(spec_.learner().update()), " alpha ",
        spec_.learner().alpha(), ", ", data_.split.train.size(), "/",
        data_.split.validation.size(), " ",
        DataSpec::Dataset_Name(spec_.data().dataset()), " images"));
    const auto none = std::find(operations_.begin(), operations_.end(), "none");
    if (none != operations_.end()) {
      double total = 0;
      for (int edge = 0; edge < learner_.edges(); ++edge) {
        total += learner_.probabilities(edge)[none - operations_.begin()];
      }
      result.set_mean_none_probability(total / learner_.edges());
    }
    return result;
  }

 private:
  absl::Status TrainEpoch(int epoch, ProgressReporter* progress,
                          EpochRecord* record) {
    const bool per_epoch = spec_.learner().sampling() == LearnerSpec::PER_EPOCH;
    const double learning_rate =
        LearningRateAt(spec_.optimizer(), epoch - 1, spec_.epochs());
    SetLearningRate(optimizer_.get(), learning_rate);
    std::vector<int> path;
    if (per_epoch) {
      path = learner_.Sample(&rng_);
      record->mutable_sampled_ops()->Add(path.begin(), path.end());
    }
    net_->train();
    train_loader_->StartEpoch(epoch - 1);
    progress->StartEpoch(epoch, train_loader_->batches_per_epoch());
    const std::vector<torch::Tensor> parameters = net_->parameters();
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    int64_t correct = 0, seen = 0, batches = 0;
    int skipped = 0;
    while (std::optional<Batch> batch = train_loader_->Next()) {
      ++batches;
      if (!per_epoch) path = learner_.Sample(&rng_);
      const torch::Tensor images = batch->images.to(device_);
      const torch::Tensor labels = batch->labels.to(device_);
      ClearGradients(parameters);
      const torch::Tensor logits = net_->forward(images, path);
      const torch::Tensor loss =
          torch::nn::functional::cross_entropy(logits, labels);
      const double loss_value = loss.item<double>();
      if (!BackwardAndStep(loss, spec_.optimizer(), optimizer_.get())) {
        if (spec_.optimizer().on_non_finite() == OptimizerSpec::STOP) {
          return NonFiniteStepError(epoch, batches, loss_value, epochs_done_,
                                    run_.path());
        }
        ++skipped;
        continue;
      }
      if (!per_epoch) learner_.RecordTraining(path, 1);
      const int64_t n = labels.size(0);
      loss_sum += loss_value * n;
      correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
      seen += n;
      progress->Batch(batches, loss_sum / seen, 100.0 * correct / seen);
    }
    MDENAS_RETURN_IF_ERROR(train_loader_->status());
    if (per_epoch) learner_.RecordTraining(path, 1);
    record->set_learning_rate(learning_rate);
    record->set_train_loss(loss_sum / std::max<int64_t>(seen, 1));
    record->set_train_top1(100.0 * correct / std::max<int64_t>(seen, 1));
    record->set_skipped_steps(skipped);
    record->set_images_per_second(seen / SecondsSince(start));
    return absl::OkStatus();
  }

  absl::Status ValidateEpoch(EpochRecord* record) {
    const bool per_epoch = spec_.learner().sampling() == LearnerSpec::PER_EPOCH;
    const std::vector<int> epoch_path(record->sampled_ops().begin(),
                                      record->sampled_ops().end());
    MDENAS_ASSIGN_OR_RETURN(
        const double accuracy,
        Validate(
            [&]() -> std::vector<int> {
              return per_epoch ? epoch_path : learner_.Sample(&rng_);
            },
            /*record_batches=*/!per_epoch));
    record->set_valid_top1(accuracy);
    if (per_epoch) learner_.RecordAccuracy(epoch_path, accuracy);
    return absl::OkStatus();
  }

  // Top-1 (%) on the validation split, each batch through the path
  // `next_path` gives; with `record_batches`, each batch's accuracy is
  // recorded for its path (per-batch sampling).
  absl::StatusOr<double> Validate(
      const std::function<std::vector<int>()>& next_path, bool record_batches) {
    torch::NoGradGuard no_grad;
    net_->eval();
    // Unshuffled and unaugmented: every epoch of this loader is the same.
    valid_loader_->StartEpoch(0);
    int64_t correct = 0, seen = 0;
    while (std::optional<Batch> batch = valid_loader_->Next()) {
      const std::vector<int> path = next_path();
      const torch::Tensor labels = batch->labels.to(device_);
      const int64_t right = net_->forward(batch->images.to(device_), path)
                                .argmax(1)
                                .eq(labels)
                                .sum()
                                .item<int64_t>();
      if (record_batches) {
        learner_.RecordAccuracy(path, 100.0 * right / labels.size(0));
      }
      correct += right;
      seen += labels.size(0);
    }
    MDENAS_RETURN_IF_ERROR(valid_loader_->status());
    return 100.0 * correct / std::max<int64_t>(seen, 1);
  }

  std::string PathText(const EpochRecord& record) const {
    if (record.sampled_ops().empty()) return "";
    const std::vector<int> path(record.sampled_ops().begin(),
                                record.sampled_ops().end());
    const absl::Span<const int> all(path);
    return absl::StrCat("n ", ShortCellPath(all.subspan(0, edges_), operations_, nodes_),
                        " r ", ShortCellPath(all.subspan(edges_), operations_, nodes_));
  }

  absl::Status WriteCheckpoint() {
    SearchCheckpoint checkpoint;
    *checkpoint.mutable_spec() = spec_;
    checkpoint.set_epochs_done(epochs_done_);
    *checkpoint.mutable_learner() = learner_.ToProto();
    *checkpoint.mutable_history() = history_;
    *checkpoint.mutable_epochs() = records_;
    std::ostringstream rng;
    rng << rng_;
    checkpoint.set_sampler_rng(rng.str());
    checkpoint.set_torch_rng(CpuGeneratorState());
    *checkpoint.mutable_network() = ModuleState(*net_);
    *checkpoint.mutable_optimizer() = SgdState(*optimizer_);
    checkpoint.set_seconds(seconds_);
    return WriteSearchCheckpoint(run_, std::move(checkpoint));
  }

  absl::Status Restore() {
    MDENAS_ASSIGN_OR_RETURN(const SearchCheckpoint checkpoint,
                            ReadSearchCheckpoint(run_, &spec_));
    const absl::Status status = RestoreSearchState(
        checkpoint, spec_.epochs(),
        {&learner_, net_.get(), optimizer_.get(), &rng_});
    if (!status.ok()) {
      return absl::DataLossError(
          absl::StrCat(run_.File(kCheckpointFile), ": ", status.message()));
    }
    epochs_done_ = checkpoint.epochs_done();
    records_ = checkpoint.epochs();
    history_ = checkpoint.history();
    seconds_ = checkpoint.seconds();
    return absl::OkStatus();
  }

  absl::Status WriteResults() const {
    MDENAS_RETURN_IF_ERROR(run_.WriteJson(kResultFile, result()));
    MDENAS_RETURN_IF_ERROR(
        run_.WriteText(kGenotypeFile, FormatDartsGenotype(genotype()) + "\n"));
    MDENAS_RETURN_IF_ERROR(run_.WriteText(
        kEpochsFile,
        EpochsCsv(records_,
                  [this](const EpochRecord& record) { return PathText(record); })));
    std::string distribution =
        "epoch,cell,edge,node,input,operation,p,trained,accuracy\n";
    for (int e = 0; e < history_.size(); ++e) {
      const LearnerState& state = history_[e];
      for (int edge = 0; edge < state.edges_size(); ++edge) {
        const bool reduce = edge >= edges_;
        const CellEdge ends = CellEdgeAt(edge % edges_);
        const LearnerState::Edge& stats = state.edges(edge);
        for (int op = 0; op < stats.probability_size(); ++op) {
          absl::StrAppend(
              &distribution,
              absl::StrFormat("%d,%s,%d,%d,%d,%s,%.6f,%d,%.4f\n", e + 1,
                              reduce ? "reduce" : "normal", edge % edges_,
                              ends.node, ends.input, operations_[op],
                              stats.probability(op), stats.trained(op),
                              stats.accuracy(op)));
        }
      }
    }
    return run_.WriteText(kDistributionFile, distribution);
  }

  const SearchSpec spec_;
  const SearchData data_;
  const RunDirectory run_;
  torch::Device device_ = torch::kCPU;
  const std::vector<std::string> operations_;
  const int nodes_;
  const int edges_;
  std::string device_description_;
  Supernet net_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  MultinomialLearner learner_;
  Rng rng_;
  std::unique_ptr<Loader> train_loader_;
  std::unique_ptr<Loader> valid_loader_;
  int epochs_done_ = 0;
  google::protobuf::RepeatedPtrField<EpochRecord> records_;
  google::protobuf::RepeatedPtrField<LearnerState> history_;
  double seconds_ = 0;
};

Search::Search(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Search::~Search() = default;

absl::StatusOr<std::unique_ptr<Search>> Search::Create(const SearchSpec& spec,
                                                       SearchData data,
                                                       RunDirectory run,
                                                       bool resume) {
  auto impl = std::make_unique<Impl>(spec, std::move(data), std::move(run));
  MDENAS_RETURN_IF_ERROR(impl->Initialize(resume));
  return std::unique_ptr<Search>(new Search(std::move(impl)));
}

absl::Status Search::Run(ProgressReporter* progress, int stop_after) {
  return impl_->Run(progress, stop_after);
}

absl::StatusOr<double> Search::ValidationAccuracy(const std::vector<int>& path) {
  return impl_->ValidationAccuracy(path);
}

int Search::epochs_done() const { return impl_->epochs_done(); }
const MultinomialLearner& Search::learner() const { return impl_->learner(); }
Genotype Search::genotype() const { return impl_->genotype(); }
RunResult Search::result() const { return impl_->result(); }

}  // namespace mdenas
