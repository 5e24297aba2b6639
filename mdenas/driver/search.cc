#include "mdenas/driver/search.h"

#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/resource_usage.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/driver/search_state.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/run/runtime.h"
#include "mdenas/space/spaces.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/training/epoch_records.h"
#include "mdenas/training/training_loop.h"

namespace mdenas {
namespace {

UpdateRule RuleOf(LearnerSpec::Update update) {
  switch (update) {
    case LearnerSpec::PAIRWISE_TRANSFER:
      return UpdateRule::kPairwiseTransfer;
    case LearnerSpec::ACCURACY_RANK:
      return UpdateRule::kAccuracyRank;
    case LearnerSpec::VECTOR_CLAMP:
      break;
  }
  return UpdateRule::kVectorClamp;
}

std::vector<int> ChoiceCounts(const SearchSpace& space) {
  std::vector<int> counts;
  for (const Decision& decision : space.decisions()) {
    counts.push_back(static_cast<int>(decision.choices.size()));
  }
  return counts;
}

}  // namespace

class Search::Impl : public TrainingJob {
 public:
  Impl(const SearchSpec& spec, TrainingData data, std::unique_ptr<SearchSpace> space,
       Replicas* replicas)
      : spec_(spec),
        data_(std::move(data)),
        space_(std::move(space)),
        per_epoch_(spec.learner().sampling() == LearnerSpec::PER_EPOCH),
        replicas_(replicas),
        learner_(ChoiceCounts(*space_), {spec.learner().alpha(), RuleOf(spec.learner().update())}),
        rng_(spec.runtime().seed()) {}

  absl::Status Initialize(RunDirectory run, bool resume) {
    if (rewards_latency()) {
      const absl::Status predicts =
          space_->PredictLatencyMs(std::vector<int>(space_->decisions().size(), 0)).status();
      if (!predicts.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("latency_reward.target_ms: ", predicts.message()));
      }
    }
    MDENAS_ASSIGN_OR_RETURN(
        const Runtime runtime,
        SetUpRuntime(spec_.runtime(), replicas_->count_here(), replicas_->rank_here()));
    device_description_ = runtime.description;
    precision_ = PrecisionName(runtime);
    torch::manual_seed(spec_.runtime().seed());
    net_ = space_->MakeSupernet({data_.shape.channels, data_.shape.height, data_.shape.width,
                                 data_.classes, spec_.data().dataset(), runtime.kernels},
                                std::nullopt);
    net_->to(runtime.device);
    MDENAS_ASSIGN_OR_RETURN(
        TrainingLoaders loaders,
        MakeTrainingLoaders(data_, spec_.data().loader_threads(), spec_.batch_size(),
                            spec_.runtime().seed(), replicas_->rank(), replicas_->count(),
                            runtime.device));
    validation_loader_ = std::move(loaders.eval);
    loop_ =
        std::make_unique<TrainingLoop>(this, net_.get(), spec_.optimizer(), spec_.epochs(), runtime,
                                       replicas_, std::move(loaders.train), std::move(run));
    return resume ? Restore() : absl::OkStatus();
  }

  absl::Status Run(ProgressReporter* progress, int stop_after) {
    return loop_->Run(progress, stop_after);
  }

  absl::StatusOr<double> ValidationAccuracy(absl::Span<const int> path) {
    const std::vector<int> fixed(path.begin(), path.end());
    return Validate([&] { return fixed; }, /*record_batches=*/false);
  }

  int epochs_done() const { return loop_->epochs_done(); }
  const SearchSpace& space() const { return *space_; }
  const MultinomialLearner& learner() const { return learner_; }
  Architecture architecture() const {
    if (candidates_.empty()) return space_->Derive(learner_.distributions());
    const ValidatedArchitecture* best = &candidates_[0];
    for (const ValidatedArchitecture& candidate : candidates_) {
      if (candidate.validation_top1() > best->validation_top1()) best = &candidate;
    }
    return {best->architecture()};
  }

  RunResult result() const {
    RunResult result;
    *result.mutable_search_spec() = spec_;
    FillDefaults(result.mutable_search_spec());
    result.set_space(space_->name());
    result.set_architecture(architecture().text);
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
    *result.mutable_distribution() = learner_.ToProto();
    result.set_mean_entropy(learner_.MeanEntropy());
    result.set_protocol(absl::StrCat(
        "MdeNAS search, ", spec_.epochs(), " epochs, ", space_->name(), " space (",
        space_->Description(), "), ", LearnerSpec::Sampling_Name(spec_.learner().sampling()),
        " sampling, ", LearnerSpec::Update_Name(spec_.learner().update()), " alpha ",
        spec_.learner().alpha(), ", ", data_.train_images.size(), "/", data_.eval_images.size(),
        " ", DataSpec::Dataset_Name(spec_.data().dataset()), " images",
        spec_.random_candidates() > 0
            ? absl::StrCat(", the best of ", spec_.random_candidates(), " random candidates")
            : "",
        rewards_latency()
            ? absl::StrCat(", reward accuracy x (latency / ", spec_.latency_reward().target_ms(),
                           " ms)^", spec_.latency_reward().exponent())
            : ""));
    if (const std::optional<double> none = MeanNoneProbability()) {
      result.set_mean_none_probability(*none);
    }
    for (const KnownAccuracy& known : space_->KnownAccuracies(architecture())) {
      *result.add_known_accuracies() = known;
    }
    if (result.known_accuracies_size() > 0) {
      result.set_known_accuracy_source(space_->KnownAccuracySource());
    }
    for (const ValidatedArchitecture& candidate : candidates_) {
      ValidatedArchitecture* validated = result.add_candidates();
      *validated = candidate;
      for (const KnownAccuracy& known : space_->KnownAccuracies({candidate.architecture()})) {
        *validated->add_known_accuracies() = known;
      }
    }
    return result;
  }

  // --- TrainingJob --------------------------------------------------------

  void StartEpoch(int epoch, EpochRecord* record) override {
    if (!per_epoch_) return;
    path_ = learner_.Sample(&rng_);
    record->mutable_sampled_ops()->Add(path_.begin(), path_.end());
  }

  bool SameForwardEveryStep() const override { return per_epoch_; }

  void StartStep() override {
    if (!per_epoch_) path_ = learner_.Sample(&rng_);
  }

  TrainingOutput Forward(const torch::Tensor& images, const torch::Tensor& labels) override {
    torch::Tensor logits = net_->forward(images, path_);
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
    return {std::move(loss), std::move(logits)};
  }

  void AfterStep() override {
    if (!per_epoch_) learner_.RecordTraining(path_, 1);
  }

  absl::Status EndEpoch(EpochRecord* record) override {
    if (per_epoch_) learner_.RecordTraining(path_, 1);
    const std::vector<int> epoch_path = path_;
    MDENAS_ASSIGN_OR_RETURN(
        const double accuracy,
        Validate(
            [&]() -> std::vector<int> { return per_epoch_ ? epoch_path : learner_.Sample(&rng_); },
            /*record_batches=*/!per_epoch_));
    record->set_valid_top1(accuracy);
    if (per_epoch_) {
      double reward = accuracy;
      if (rewards_latency()) {
        const double latency_ms = *space_->PredictLatencyMs(epoch_path);
        reward = LatencyReward(accuracy, latency_ms);
        record->set_reward(reward);
        record->set_predicted_latency_ms(latency_ms);
      }
      learner_.RecordAccuracy(epoch_path, reward);
    }
    learner_.FinishEpoch();
    if (record->epoch() > spec_.learner().warmup_epochs()) learner_.Update();
    record->set_mean_entropy(learner_.MeanEntropy());
    if (const std::optional<double> none = MeanNoneProbability()) {
      record->set_mean_none_probability(*none);
    }
    *history_.Add() = learner_.ToProto();
    if (record->epoch() == spec_.epochs()) return ValidateRandomCandidates();
    return absl::OkStatus();
  }

  void SaveState(Checkpoint* checkpoint) const override {
    SearchState* state = checkpoint->mutable_search();
    *state->mutable_spec() = spec_;
    *state->mutable_learner() = learner_.ToProto();
    *state->mutable_history() = history_;
    std::ostringstream rng;
    rng << rng_;
    state->set_sampler_rng(rng.str());
    *state->mutable_candidates() = candidates_;
  }

  absl::Status WriteResults() const override {
    const RunDirectory& run = loop_->run();
    MDENAS_RETURN_IF_ERROR(run.WriteJson(kResultFile, result()));
    const Architecture found = architecture();
    MDENAS_RETURN_IF_ERROR(run.WriteText(kArchitectureFile, found.text + "\n"));
    MDENAS_ASSIGN_OR_RETURN(const std::string drawing, space_->ArchitectureDot(found));
    MDENAS_RETURN_IF_ERROR(run.WriteText(kArchitectureDotFile, drawing));
    MDENAS_RETURN_IF_ERROR(run.WriteText(
        kEpochsFile, EpochsCsv(loop_->records(),
                               [this](const EpochRecord& record) { return PathText(record); })));
    return run.WriteText(kDistributionFile, DistributionCsv());
  }

  std::string PathText(const EpochRecord& record) const override {
    if (record.sampled_ops().empty()) return "";
    const std::vector<int> path(record.sampled_ops().begin(), record.sampled_ops().end());
    return space_->PathText(path);
  }

 private:
  bool rewards_latency() const { return spec_.latency_reward().target_ms() > 0; }

  // What the learner records for `path`'s `accuracy`: the accuracy, or
  // with SearchSpec.latency_reward accuracy x (latency / target)^exponent.
  double Reward(absl::Span<const int> path, double accuracy) const {
    if (!rewards_latency()) return accuracy;
    // Initialize checked that the space predicts latencies.
    return LatencyReward(accuracy, *space_->PredictLatencyMs(path));
  }
  double LatencyReward(double accuracy, double latency_ms) const {
    const LatencyRewardSpec& reward = spec_.latency_reward();
    return accuracy * std::pow(latency_ms / reward.target_ms(), reward.exponent());
  }

  // Top-1 (%) on the validation split, each batch through the path
  // `next_path` gives; with `record_batches`, each batch's accuracy (every
  // replica's shards of it together) is recorded for its path (per-batch
  // sampling).
  absl::StatusOr<double> Validate(const std::function<std::vector<int>()>& next_path,
                                  bool record_batches) {
    std::vector<std::vector<int>> paths;
    MDENAS_ASSIGN_OR_RETURN(
        const Evaluation evaluation,
        loop_->Evaluate(
            *validation_loader_,
            [&](const torch::Tensor& images) { return net_->forward(images, paths.back()); },
            [&](int64_t) { paths.push_back(next_path()); }));
    if (record_batches) {
      for (size_t b = 0; b < paths.size(); ++b) {
        learner_.RecordAccuracy(paths[b], Reward(paths[b], evaluation.batches[b].top1_percent()));
      }
    }
    return evaluation.total.top1_percent();
  }

  // Draws spec.random_candidates() architectures uniformly and validates
  // each through the shared weights (SearchSpec.random_candidates).
  absl::Status ValidateRandomCandidates() {
    // A stream apart from the sampler's, so the candidates do not depend on
    // how many paths the epochs drew.
    Rng rng(spec_.runtime().seed() ^ 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < spec_.random_candidates(); ++i) {
      const Architecture candidate = space_->RandomArchitecture(&rng);
      MDENAS_ASSIGN_OR_RETURN(const std::vector<int> path, space_->PathOf(candidate));
      MDENAS_ASSIGN_OR_RETURN(const double top1, ValidationAccuracy(path));
      ValidatedArchitecture* validated = candidates_.Add();
      validated->set_architecture(candidate.text);
      validated->set_validation_top1(top1);
    }
    return absl::OkStatus();
  }

  // The mean probability of computing nothing, over the decisions that can;
  // none where no decision can.
  std::optional<double> MeanNoneProbability() const {
    double zero_mass = 0;
    int with_zero = 0;
    for (int d = 0; d < learner_.decisions(); ++d) {
      const int zero = space_->decisions()[d].zero_choice;
      if (zero < 0) continue;
      zero_mass += learner_.probabilities(d)[zero];
      ++with_zero;
    }
    if (with_zero == 0) return std::nullopt;
    return zero_mass / with_zero;
  }

  // distribution.csv: every choice of every decision after every epoch,
  // each decision in the space's columns.
  std::string DistributionCsv() const {
    std::string csv = absl::StrCat("epoch,", absl::StrJoin(space_->DecisionColumns(), ","), ",",
                                   space_->ChoiceColumn(), ",p,trained,accuracy\n");
    for (int e = 0; e < history_.size(); ++e) {
      const LearnerState& state = history_[e];
      for (int d = 0; d < state.decisions_size(); ++d) {
        const Decision& decision = space_->decisions()[d];
        const std::string columns = absl::StrJoin(decision.columns, ",");
        const LearnerState::Decision& stats = state.decisions(d);
        for (int c = 0; c < stats.probability_size(); ++c) {
          absl::StrAppend(
              &csv, absl::StrFormat("%d,%s,%s,%.6f,%d,%.4f\n", e + 1, columns, decision.choices[c],
                                    stats.probability(c), stats.trained(c), stats.accuracy(c)));
        }
      }
    }
    return csv;
  }

  absl::Status Restore() {
    const RunDirectory& run = loop_->run();
    MDENAS_ASSIGN_OR_RETURN(const Checkpoint checkpoint, ReadCheckpointOf(run, "search", &spec_));
    absl::Status status = RestoreSearchState(checkpoint.search(),
                                             checkpoint.training().epochs_done(), &learner_, &rng_);
    if (status.ok()) status = loop_->Restore(checkpoint.training());
    if (!status.ok()) {
      return absl::DataLossError(absl::StrCat(run.File(kCheckpointFile), ": ", status.message()));
    }
    history_ = checkpoint.search().history();
    candidates_ = checkpoint.search().candidates();
    return absl::OkStatus();
  }

  const SearchSpec spec_;
  const TrainingData data_;
  const std::unique_ptr<SearchSpace> space_;
  const bool per_epoch_;
  Replicas* const replicas_;
  std::string device_description_;
  std::string precision_;
  std::shared_ptr<Supernet> net_;
  MultinomialLearner learner_;
  Rng rng_;
  // The path of the epoch (per-epoch sampling) or of the batch.
  std::vector<int> path_;
  std::unique_ptr<Loader> validation_loader_;
  std::unique_ptr<TrainingLoop> loop_;
  google::protobuf::RepeatedPtrField<LearnerState> history_;
  google::protobuf::RepeatedPtrField<ValidatedArchitecture> candidates_;
};

Search::Search(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Search::~Search() = default;

absl::StatusOr<std::unique_ptr<Search>> Search::Create(const SearchSpec& spec, TrainingData data,
                                                       RunDirectory run, bool resume,
                                                       Replicas* replicas) {
  MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<SearchSpace> space, MakeSearchSpace(spec.space()));
  auto impl = std::make_unique<Impl>(spec, std::move(data), std::move(space), replicas);
  MDENAS_RETURN_IF_ERROR(impl->Initialize(std::move(run), resume));
  return std::unique_ptr<Search>(new Search(std::move(impl)));
}

absl::Status Search::Run(ProgressReporter* progress, int stop_after) {
  return impl_->Run(progress, stop_after);
}

absl::StatusOr<double> Search::ValidationAccuracy(absl::Span<const int> path) {
  return impl_->ValidationAccuracy(path);
}

int Search::epochs_done() const { return impl_->epochs_done(); }
const SearchSpace& Search::space() const { return impl_->space(); }
const MultinomialLearner& Search::learner() const { return impl_->learner(); }
Architecture Search::architecture() const { return impl_->architecture(); }
RunResult Search::result() const { return impl_->result(); }

absl::StatusOr<std::unique_ptr<Search>> RunNewSearch(const SearchSpec& spec,
                                                     ProgressReporter* progress) {
  MDENAS_ASSIGN_OR_RETURN(TrainingData data,
                          OpenSearchData(spec.data(), spec.train_fraction(), spec.split_seed()));
  MDENAS_ASSIGN_OR_RETURN(RunDirectory run,
                          RunDirectory::Create(spec.runtime().output_dir(), spec));
  MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<Search> search,
                          Search::Create(spec, std::move(data), std::move(run), false));
  MDENAS_RETURN_IF_ERROR(search->Run(progress));
  return search;
}

}  // namespace mdenas
