// //eval:ranking_study: the performance-ranking hypothesis behind MdeNAS
// (MDENAS_SPEC.md §5): if one architecture validates better than another
// early in training, it tends to stay better. N architectures drawn
// uniformly from the DARTS space (the study's networks are DARTS cells of
// --layers x --init_channels) are each trained stand-alone for E epochs
// under one protocol and one seed; Kendall's tau compares the ranking after
// every epoch with the ranking after the last. The in-supernet variant
// trains the weight-sharing supernet (per-batch sampling) and ranks the same
// architectures as paths through the shared weights against their
// stand-alone ranking.
//
//   bazel run //eval:ranking_study                  # ~30 minutes here
//   bazel run //eval:ranking_study -- --architectures=20 --epochs=10

#include <iostream>
#include <sstream>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "data/data_location.h"
#include "eval/kendall_tau.h"
#include "eval/retrain.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/driver/search.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/space/spaces.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/spec/spec_validation.h"

ABSL_FLAG(int, architectures, 8, "Architectures drawn from the space (N).");
ABSL_FLAG(int, epochs, 6, "Stand-alone training epochs of each (E).");
ABSL_FLAG(int, supernet_epochs, 8,
          "Epochs of supernet training for the in-supernet ranking; 0 skips "
          "it.");
ABSL_FLAG(int, layers, 5, "Cells of every network (DARTS space).");
ABSL_FLAG(int, init_channels, 8, "Channels of the first cell (DARTS space).");
ABSL_FLAG(int, train_images, 2000, "Training images (a seeded subset).");
ABSL_FLAG(int, test_images, 1000, "Test images (a seeded subset).");
ABSL_FLAG(int, batch_size, 64, "Batch size.");
ABSL_FLAG(uint64_t, seed, 1,
          "Seed of the architectures' draw; every network trains with this seed.");
ABSL_FLAG(int, threads, 0, "Intra-op threads; 0 = one per core.");
ABSL_FLAG(std::string, data_dir, "",
          "CIFAR-10 folder; default as //mdenas:search finds it.");
ABSL_FLAG(std::string, out, "",
          "Study directory; default runs/ranking-<timestamp>.");

namespace mdenas {
namespace {

// The shared part of every network's training: data, optimizer, seed.
void CommonSettings(const DataSpec& data, DataSpec* out_data,
                    RuntimeSpec* runtime) {
  *out_data = data;
  out_data->set_max_train_images(absl::GetFlag(FLAGS_train_images));
  out_data->set_max_test_images(absl::GetFlag(FLAGS_test_images));
  out_data->set_loader_threads(2);
  runtime->set_seed(absl::GetFlag(FLAGS_seed));
  runtime->set_threads(absl::GetFlag(FLAGS_threads));
}

// Where the flags land in a spec, for errors that name them; `epochs_flag`
// sets the spec's epochs.
SpecOrigins FlagOrigins(const char* epochs_flag) {
  SpecOrigins origins;
  const std::pair<const char*, const char*> flags[] = {
      {"network.darts.layers", "layers"},
      {"network.darts.init_channels", "init_channels"},
      {"space.darts.layers", "layers"},
      {"space.darts.init_channels", "init_channels"},
      {"data.max_train_images", "train_images"},
      {"data.max_test_images", "test_images"},
      {"batch_size", "batch_size"},
      {"runtime.threads", "threads"},
      {"epochs", epochs_flag},
  };
  for (const auto& [field, flag] : flags) origins.Set(field, absl::StrCat("flag --", flag));
  return origins;
}

// The stand-alone training of an architecture (set by the caller): plain SGD
// with the cosine schedule, no regulariser (no cutout, drop-path, auxiliary
// head or dropout), which only pay off in long runs.
EvalSpec StandAloneSpec(const DataSpec& data, const std::string& out) {
  EvalSpec spec;
  CommonSettings(data, spec.mutable_data(), spec.mutable_runtime());
  DartsNetworkSpec* network = spec.mutable_network()->mutable_darts();
  network->set_layers(absl::GetFlag(FLAGS_layers));
  network->set_init_channels(absl::GetFlag(FLAGS_init_channels));
  network->set_auxiliary(false);
  network->set_drop_path_prob(0);
  spec.set_cutout_length(0);
  spec.set_epochs(absl::GetFlag(FLAGS_epochs));
  spec.set_batch_size(absl::GetFlag(FLAGS_batch_size));
  spec.mutable_runtime()->set_output_dir(out);
  FillDefaults(&spec);
  return spec;
}

// Trains `architecture` stand-alone; returns the test top-1 after every
// epoch.
absl::StatusOr<std::vector<double>> TrainStandAlone(const Architecture& architecture,
                                                    const DataSpec& data,
                                                    const std::string& out) {
  EvalSpec spec = StandAloneSpec(data, out);
  spec.set_architecture(architecture.text);
  std::ostringstream discard;
  ProgressReporter progress(&discard, &discard, false, spec.epochs(), "test");
  MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<Retraining> retraining,
                          RunNewRetraining(spec, architecture, &progress));
  // result() returns a copy: keep it alive for the loop.
  const RunResult result = retraining->result();
  std::vector<double> accuracy;
  for (const EpochRecord& record : result.epochs()) {
    accuracy.push_back(record.valid_top1());
  }
  return accuracy;
}

// The supernet's training with MdeNAS, sampling a new path every batch so
// that every operation trains.
SearchSpec SupernetSpec(const DataSpec& data, const std::string& out) {
  SearchSpec spec;
  CommonSettings(data, spec.mutable_data(), spec.mutable_runtime());
  spec.mutable_space()->mutable_darts()->set_layers(absl::GetFlag(FLAGS_layers));
  spec.mutable_space()->mutable_darts()->set_init_channels(absl::GetFlag(FLAGS_init_channels));
  spec.mutable_learner()->set_sampling(LearnerSpec::PER_BATCH);
  spec.set_epochs(absl::GetFlag(FLAGS_supernet_epochs));
  spec.set_batch_size(absl::GetFlag(FLAGS_batch_size));
  spec.mutable_runtime()->set_output_dir(out);
  FillDefaults(&spec);
  return spec;
}

// Trains the supernet and measures each architecture as a path through the
// shared weights on the supernet's validation split.
absl::StatusOr<std::vector<double>> InSupernetAccuracy(
    const std::vector<Architecture>& architectures, const DataSpec& data,
    const std::string& out) {
  const SearchSpec spec = SupernetSpec(data, out);
  ProgressReporter progress(&std::cout, &std::cerr, false, spec.epochs());
  MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<Search> search, RunNewSearch(spec, &progress));
  std::vector<double> accuracy;
  for (const Architecture& architecture : architectures) {
    MDENAS_ASSIGN_OR_RETURN(const std::vector<int> path, search->space().PathOf(architecture));
    MDENAS_ASSIGN_OR_RETURN(const double top1, search->ValidationAccuracy(path));
    accuracy.push_back(top1);
  }
  return accuracy;
}

absl::Status Main() {
  const int count = absl::GetFlag(FLAGS_architectures);
  const int epochs = absl::GetFlag(FLAGS_epochs);
  if (count < 2 || epochs < 1 || absl::GetFlag(FLAGS_supernet_epochs) < 0) {
    return absl::InvalidArgumentError(
        "flags --architectures must be at least 2, --epochs at least 1 and "
        "--supernet_epochs at least 0");
  }
  // The flags that land in the specs, checked before anything trains.
  MDENAS_RETURN_IF_ERROR(ValidateSpec(StandAloneSpec(DataSpec(), ""), FlagOrigins("epochs")));
  if (absl::GetFlag(FLAGS_supernet_epochs) > 0) {
    MDENAS_RETURN_IF_ERROR(
        ValidateSpec(SupernetSpec(DataSpec(), ""), FlagOrigins("supernet_epochs")));
  }
  DataSpec data;
  data.set_path(absl::GetFlag(FLAGS_data_dir));
  std::string notice;
  MDENAS_RETURN_IF_ERROR(LocateData(
      data.path().empty() ? "" : "flag --data_dir", &data, &notice));
  if (!notice.empty()) std::cout << notice << "\n";
  const std::string out =
      absl::GetFlag(FLAGS_out).empty()
          ? RunDirectory::DefaultPath() + "-ranking"
          : UserPath(absl::GetFlag(FLAGS_out));
  MDENAS_RETURN_IF_ERROR(MakeDirectories(out));

  // The population, drawn from the supernet's space.
  MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<SearchSpace> space,
                          MakeSearchSpace(SupernetSpec(data, out).space()));
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  std::vector<Architecture> architectures;
  std::vector<std::vector<double>> accuracy;
  for (int i = 0; i < count; ++i) {
    architectures.push_back(space->RandomArchitecture(&rng));
    MDENAS_ASSIGN_OR_RETURN(
        std::vector<double> curve,
        TrainStandAlone(architectures.back(), data,
                        JoinPath(out, absl::StrCat("standalone", i + 1))));
    std::cout << absl::StrFormat("architecture %2d/%d: test top-1 by epoch",
                                 i + 1, count);
    for (double a : curve) std::cout << absl::StrFormat(" %5.1f", a);
    std::cout << std::endl;
    accuracy.push_back(std::move(curve));
  }
  const std::vector<double> taus = TauAgainstLastEpoch(accuracy);

  std::vector<double> in_supernet;
  double supernet_tau = 0;
  if (absl::GetFlag(FLAGS_supernet_epochs) > 0) {
    MDENAS_ASSIGN_OR_RETURN(in_supernet,
                            InSupernetAccuracy(architectures, data,
                                               JoinPath(out, "supernet")));
    std::vector<double> final_accuracy;
    for (const std::vector<double>& curve : accuracy) {
      final_accuracy.push_back(curve.back());
    }
    supernet_tau = KendallTau(in_supernet, final_accuracy);
  }

  std::string architectures_csv = "architecture,text";
  for (int e = 1; e <= epochs; ++e) absl::StrAppend(&architectures_csv, ",epoch", e);
  absl::StrAppend(&architectures_csv, in_supernet.empty() ? "" : ",in_supernet",
                  "\n");
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&architectures_csv, i + 1, ",\"", architectures[i].text, "\"");
    for (double a : accuracy[i]) absl::StrAppend(&architectures_csv, ",", a);
    if (!in_supernet.empty()) {
      absl::StrAppend(&architectures_csv, ",", in_supernet[i]);
    }
    absl::StrAppend(&architectures_csv, "\n");
  }
  std::string tau_csv = "epoch,tau,p_tau\n";
  std::string table = absl::StrFormat(
      "\nKendall's tau between the ranking of %d architectures after each "
      "epoch and after epoch %d\n\n| epoch | tau | p_tau |\n|---|---|---|\n",
      count, epochs);
  for (int e = 0; e < epochs; ++e) {
    absl::StrAppend(&tau_csv, e + 1, ",", taus[e], ",",
                    ConcordanceProbability(taus[e]), "\n");
    absl::StrAppend(&table, absl::StrFormat("| %d | %.3f | %.3f |\n", e + 1,
                                            taus[e],
                                            ConcordanceProbability(taus[e])));
  }
  if (!in_supernet.empty()) {
    absl::StrAppend(&tau_csv, "supernet,", supernet_tau, ",",
                    ConcordanceProbability(supernet_tau), "\n");
    absl::StrAppend(
        &table,
        absl::StrFormat("\nin the supernet after %d epochs against stand-alone "
                        "epoch %d: tau %.3f, p_tau %.3f\n",
                        absl::GetFlag(FLAGS_supernet_epochs), epochs,
                        supernet_tau, ConcordanceProbability(supernet_tau)));
  }
  MDENAS_RETURN_IF_ERROR(
      WriteFileAtomically(JoinPath(out, "architectures.csv"), architectures_csv));
  MDENAS_RETURN_IF_ERROR(WriteFileAtomically(JoinPath(out, "tau.csv"), tau_csv));
  std::cout << table << "\nfiles: " << out
            << "/{architectures.csv,tau.csv} and one run directory per "
               "network\n";
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The performance-ranking hypothesis: Kendall's tau of architectures' "
      "rankings across training epochs.");
  mdenas::ParseCommandLine(argc, argv);
  const absl::Status status = mdenas::Main();
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
