// //eval:ranking_study: the performance-ranking hypothesis behind MdeNAS
// (MDENAS_SPEC.md §5): if one architecture validates better than another
// early in training, it tends to stay better. N architectures drawn
// uniformly from a search space (--space: DARTS cells by default, or
// NAS-Bench-201's) are each trained stand-alone for E epochs under one
// protocol and one seed; Kendall's tau compares the ranking after every
// epoch with the ranking after the last. The in-supernet variant trains the
// weight-sharing supernet with a path drawn uniformly every batch and ranks
// the same architectures as paths through the shared weights against their
// stand-alone ranking. In a space with a benchmark that trained every
// architecture (NAS-Bench-201's table), both rankings are also compared
// with the benchmark's: the ground truth.
//
//   bazel run //eval:ranking_study                  # ~30 minutes here
//   bazel run //eval:ranking_study -- --architectures=20 --epochs=10
//   bazel run //eval:ranking_study -- --space=nb201 --channels=8 --cells_per_stage=1

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
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
ABSL_FLAG(std::string, supernet_sampling, "",
          "How the supernet draws a path every batch: mdenas (from the "
          "distributions the search learns as it trains, the paper's "
          "in-supernet variant) or uniform (from the uniform distribution "
          "throughout: every path's weights trained alike, the usual protocol "
          "for judging a supernet as a ranker). Default: the space's, mdenas "
          "for darts, uniform for nb201.");
ABSL_FLAG(std::string, space, "darts",
          "The search space the architectures are drawn from: darts or nb201. "
          "Each has its own flags for its networks' size: darts --layers "
          "--init_channels; nb201 --channels --cells_per_stage --nb201_table. "
          "A flag of another space is an error.");
ABSL_FLAG(std::optional<int>, layers, std::nullopt,
          "darts: cells of every network. Default: 5.");
ABSL_FLAG(std::optional<int>, init_channels, std::nullopt,
          "darts: channels of the first cell. Default: 8.");
ABSL_FLAG(std::optional<int>, channels, std::nullopt,
          "nb201: channels of the first stage's cells (C; the later stages have "
          "2C and 4C). Default: 8.");
ABSL_FLAG(std::optional<int>, cells_per_stage, std::nullopt,
          "nb201: cells per stage (N). Default: 1.");
ABSL_FLAG(std::string, nb201_table, "",
          "nb201: the NAS-Bench-201 accuracy table whose CIFAR-10 accuracies "
          "are the ground truth the rankings are compared with. Default: the "
          "shared data's nb201/nb201_accuracy.csv, found as //mdenas:search "
          "finds it; the study stops with an error where there is none.");
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

// A flag that sets one field of a space's settings: in the stand-alone
// networks' spec (EvalSpec.network.<space>), the supernet's
// (SearchSpec.space.<space>), or both.
struct SpaceFlag {
  std::string name;  // The flag is --<name>.
  std::string value;  // As given; empty where it was not.
  // The study's value where it was not given; empty: the spec's default.
  std::string study_default;
  std::string network_field;   // Empty: no stand-alone setting.
  std::string supernet_field;  // Empty: no supernet setting.
};

// How the study sets up the networks of one space.
struct StudySpace {
  std::string name;
  std::vector<SpaceFlag> flags;
  // Stand-alone settings of the study's protocol (field, value): the
  // regularisers that only pay off in long runs, off.
  std::vector<std::pair<std::string, std::string>> protocol;
  // The data set of the space's KnownAccuracies that the rankings are
  // compared with; empty where the space has none.
  std::string known_dataset;
  // Where the known accuracies come from, for the error where there are
  // none.
  std::string known_missing;
  // The study's --supernet_sampling for the space: "uniform" where the
  // supernet is judged against known accuracies, else "mdenas".
  std::string supernet_sampling;
};

std::string GivenValue(const absl::Flag<std::optional<int>>& flag) {
  const std::optional<int> value = absl::GetFlag(flag);
  return value ? absl::StrCat(*value) : "";
}

// Where a NAS-Bench-201 table was looked for, and how to give one.
std::string Nb201TableMissing() {
  const std::vector<std::string> candidates = SharedDataCandidates("nb201/nb201_accuracy.csv");
  return absl::StrCat(
      "the NAS-Bench-201 accuracy table: give --nb201_table=FILE (looked for "
      "nb201/nb201_accuracy.csv of the shared data",
      candidates.empty() ? ": neither $MDENAS_SHARED_DATA nor a workspace to look beside is set"
                         : absl::StrCat(" at ", absl::StrJoin(candidates, ", ")),
      ")");
}

// The spaces the study knows, with the flags' values.
std::vector<StudySpace> StudySpaces() {
  return {
      {"darts",
       {{"layers", GivenValue(FLAGS_layers), "5", "layers", "layers"},
        {"init_channels", GivenValue(FLAGS_init_channels), "8", "init_channels",
         "init_channels"}},
       {{"auxiliary", "false"}, {"drop_path_prob", "0"}},
       "",
       "",
       "mdenas"},
      {"nb201",
       {{"channels", GivenValue(FLAGS_channels), "8", "channels", "channels"},
        {"cells_per_stage", GivenValue(FLAGS_cells_per_stage), "1", "cells_per_stage",
         "cells_per_stage"},
        {"nb201_table", absl::GetFlag(FLAGS_nb201_table), "", "", "table"}},
       {},
       "cifar10",
       Nb201TableMissing(),
       "uniform"},
  };
}

// The space --space names; a flag given for another space is an error.
absl::StatusOr<StudySpace> ChosenSpace() {
  const std::string name = absl::GetFlag(FLAGS_space);
  std::vector<StudySpace> spaces = StudySpaces();
  std::vector<std::string> names;
  for (const StudySpace& space : spaces) names.push_back(space.name);
  const auto chosen = std::find_if(spaces.begin(), spaces.end(),
                                   [&](const StudySpace& space) { return space.name == name; });
  if (chosen == spaces.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "flag --space: the study knows no space '", name, "'; spaces: ",
        absl::StrJoin(names, ", ")));
  }
  std::set<std::string> own;
  for (const SpaceFlag& flag : chosen->flags) own.insert(flag.name);
  std::vector<std::string> problems;
  for (const StudySpace& other : spaces) {
    for (const SpaceFlag& flag : other.flags) {
      if (flag.value.empty() || own.count(flag.name) > 0) continue;
      problems.push_back(absl::StrCat(
          "flag --", flag.name, ": sets up the ", other.name,
          " space's networks and does not apply to --space=", name, ", whose flags are ",
          absl::StrJoin(own, ", ", [](std::string* out, const std::string& flag) {
            absl::StrAppend(out, "--", flag);
          })));
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  return *chosen;
}

// Sets the settings of `space` in `spec` (member `member` of the spec,
// "network" or "space", selects it): the space's flags that have a field
// there (`field` picks it), as given or at the study's defaults.
absl::Status ApplySpaceFlags(const StudySpace& space, const std::string& member,
                             std::string SpaceFlag::*field, google::protobuf::Message* spec,
                             SpecOrigins* origins) {
  const google::protobuf::FieldDescriptor* descriptor =
      spec->GetDescriptor()->FindFieldByName(member);
  MDENAS_RETURN_IF_ERROR(
      SelectSpace(space.name, spec->GetReflection()->MutableMessage(spec, descriptor)));
  for (const SpaceFlag& flag : space.flags) {
    const std::string& value = flag.value.empty() ? flag.study_default : flag.value;
    if ((flag.*field).empty() || value.empty()) continue;
    MDENAS_RETURN_IF_ERROR(SetSpecField(
        absl::StrCat(member, ".", space.name, ".", flag.*field), value,
        absl::StrCat(flag.value.empty() ? "the study's default of " : "", "flag --", flag.name),
        spec, origins));
  }
  return absl::OkStatus();
}

// The shared part of every network's training: data, optimizer, seed.
void CommonSettings(DataSpec* data, RuntimeSpec* runtime) {
  data->set_max_train_images(absl::GetFlag(FLAGS_train_images));
  data->set_max_test_images(absl::GetFlag(FLAGS_test_images));
  data->set_loader_threads(2);
  runtime->set_seed(absl::GetFlag(FLAGS_seed));
  runtime->set_threads(absl::GetFlag(FLAGS_threads));
}

// Where the flags land in a spec, for errors that name them; `epochs_flag`
// sets the spec's epochs.
void AddFlagOrigins(const char* epochs_flag, SpecOrigins* origins) {
  const std::pair<const char*, const char*> flags[] = {
      {"data.max_train_images", "train_images"},
      {"data.max_test_images", "test_images"},
      {"batch_size", "batch_size"},
      {"runtime.threads", "threads"},
      {"epochs", epochs_flag},
  };
  for (const auto& [field, flag] : flags) origins->Set(field, absl::StrCat("flag --", flag));
}

// The specs of the study's trainings, without data, architecture and
// output folder, which each training adds.
struct StudySpecs {
  // The stand-alone training of every architecture: plain SGD with the
  // cosine schedule, no regulariser (no cutout, and none of the space's
  // own, such as DARTS's drop-path, auxiliary head or dropout).
  EvalSpec standalone;
  // The supernet's: the MdeNAS search, with a new path every batch so that
  // every operation trains. With --supernet_sampling=uniform the paths are
  // drawn uniformly: the learner's distributions stay at their start for
  // all but the last epoch, and none is drawn from them after it (the
  // epoch's validation comes before the update). The search's rule that
  // at least one epoch updates them (spec_validation.cc) rules out a
  // warm-up as long as all the epochs.
  SearchSpec supernet;
  std::string supernet_sampling;  // "mdenas" or "uniform".
};

absl::StatusOr<StudySpecs> SpecsFromFlags(const StudySpace& space) {
  StudySpecs specs;
  SpecOrigins standalone_origins;
  EvalSpec& standalone = specs.standalone;
  CommonSettings(standalone.mutable_data(), standalone.mutable_runtime());
  MDENAS_RETURN_IF_ERROR(ApplySpaceFlags(space, "network", &SpaceFlag::network_field,
                                         &standalone, &standalone_origins));
  for (const auto& [field, value] : space.protocol) {
    MDENAS_RETURN_IF_ERROR(SetSpecField(absl::StrCat("network.", space.name, ".", field), value,
                                        "the study's protocol", &standalone,
                                        &standalone_origins));
  }
  standalone.set_cutout_length(0);
  standalone.set_epochs(absl::GetFlag(FLAGS_epochs));
  standalone.set_batch_size(absl::GetFlag(FLAGS_batch_size));
  FillDefaults(&standalone);
  AddFlagOrigins("epochs", &standalone_origins);
  MDENAS_RETURN_IF_ERROR(ValidateSpec(standalone, standalone_origins));

  SpecOrigins supernet_origins;
  SearchSpec& supernet = specs.supernet;
  CommonSettings(supernet.mutable_data(), supernet.mutable_runtime());
  MDENAS_RETURN_IF_ERROR(ApplySpaceFlags(space, "space", &SpaceFlag::supernet_field, &supernet,
                                         &supernet_origins));
  const int epochs = absl::GetFlag(FLAGS_supernet_epochs);
  supernet.mutable_learner()->set_sampling(LearnerSpec::PER_BATCH);
  std::string sampling = absl::GetFlag(FLAGS_supernet_sampling);
  if (sampling.empty()) sampling = space.supernet_sampling;
  specs.supernet_sampling = sampling;
  if (sampling == "uniform") {
    supernet.mutable_learner()->set_warmup_epochs(std::max(0, epochs - 1));
  } else if (sampling != "mdenas") {
    return absl::InvalidArgumentError(absl::StrCat(
        "flag --supernet_sampling: '", sampling, "' is neither mdenas nor uniform"));
  }
  supernet.set_epochs(epochs);
  supernet.set_batch_size(absl::GetFlag(FLAGS_batch_size));
  FillDefaults(&supernet);
  AddFlagOrigins("supernet_epochs", &supernet_origins);
  if (epochs > 0) MDENAS_RETURN_IF_ERROR(ValidateSpec(supernet, supernet_origins));
  return specs;
}

// Trains `architecture` stand-alone; returns the test top-1 after every
// epoch.
absl::StatusOr<std::vector<double>> TrainStandAlone(EvalSpec spec,
                                                    const Architecture& architecture) {
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

// Trains the supernet and measures each architecture as a path through the
// shared weights on the supernet's validation split.
absl::StatusOr<std::vector<double>> InSupernetAccuracy(
    const std::vector<Architecture>& architectures, const SearchSpec& spec) {
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

// The known accuracy on `dataset` of each of `architectures`.
absl::StatusOr<std::vector<double>> KnownAccuracies(const SearchSpace& space,
                                                    const std::vector<Architecture>& architectures,
                                                    const std::string& dataset) {
  std::vector<double> known;
  for (const Architecture& architecture : architectures) {
    const std::vector<KnownAccuracy> entries = space.KnownAccuracies(architecture);
    const auto entry = std::find_if(entries.begin(), entries.end(), [&](const KnownAccuracy& k) {
      return k.dataset() == dataset;
    });
    if (entry == entries.end()) {
      return absl::NotFoundError(absl::StrCat(space.KnownAccuracySource(), " has no ", dataset,
                                              " accuracy of ", architecture.text));
    }
    known.push_back(entry->test_accuracy());
  }
  return known;
}

// `tau` and its p_tau in `format`.
std::string TauCells(double tau, const absl::FormatSpec<double, double>& format) {
  return absl::StrFormat(format, tau, ConcordanceProbability(tau));
}

absl::Status Main() {
  const int count = absl::GetFlag(FLAGS_architectures);
  const int epochs = absl::GetFlag(FLAGS_epochs);
  const int supernet_epochs = absl::GetFlag(FLAGS_supernet_epochs);
  if (count < 2 || epochs < 1 || supernet_epochs < 0) {
    return absl::InvalidArgumentError(
        "flags --architectures must be at least 2, --epochs at least 1 and "
        "--supernet_epochs at least 0");
  }
  // The flags that land in the specs, checked before anything trains.
  MDENAS_ASSIGN_OR_RETURN(const StudySpace study_space, ChosenSpace());
  MDENAS_ASSIGN_OR_RETURN(StudySpecs specs, SpecsFromFlags(study_space));
  // The space, with what it knows of its architectures (NAS-Bench-201's
  // table), which the supernet's settings name.
  absl::StatusOr<std::unique_ptr<SearchSpace>> made = MakeSearchSpace(specs.supernet.space());
  if (!made.ok()) {
    // Say which flag gave the setting at fault.
    for (const SpaceFlag& flag : study_space.flags) {
      const std::string field =
          absl::StrCat("space.", study_space.name, ".", flag.supernet_field);
      if (!flag.value.empty() && !flag.supernet_field.empty() &&
          absl::StartsWith(made.status().message(), field)) {
        return absl::Status(made.status().code(),
                            absl::StrCat("flag --", flag.name, ": ", made.status().message()));
      }
    }
    return made.status();
  }
  const std::unique_ptr<SearchSpace> space = *std::move(made);
  const std::string& known_dataset = study_space.known_dataset;
  if (!known_dataset.empty() && space->KnownAccuracySource().empty()) {
    return absl::NotFoundError(absl::StrCat(
        "--space=", study_space.name, " ranks the architectures against ",
        study_space.known_missing));
  }

  DataSpec data;
  data.set_path(absl::GetFlag(FLAGS_data_dir));
  std::string notice;
  MDENAS_RETURN_IF_ERROR(LocateData(
      data.path().empty() ? "" : "flag --data_dir", &data, &notice));
  if (!notice.empty()) std::cout << notice << "\n";
  for (DataSpec* spec : {specs.standalone.mutable_data(), specs.supernet.mutable_data()}) {
    spec->set_path(data.path());
    spec->set_dataset(data.dataset());
  }
  const std::string out =
      absl::GetFlag(FLAGS_out).empty()
          ? RunDirectory::DefaultPath() + "-ranking"
          : UserPath(absl::GetFlag(FLAGS_out));
  MDENAS_RETURN_IF_ERROR(MakeDirectories(out));

  // The population, drawn uniformly from the space, and what the space's
  // benchmark knows of it.
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  std::vector<Architecture> architectures;
  for (int i = 0; i < count; ++i) architectures.push_back(space->RandomArchitecture(&rng));
  std::vector<double> known;
  const std::string known_column = absl::StrCat("table_", known_dataset);
  if (!known_dataset.empty()) {
    MDENAS_ASSIGN_OR_RETURN(known, KnownAccuracies(*space, architectures, known_dataset));
    std::cout << "ground truth: the " << known_dataset << " test accuracies of "
              << space->KnownAccuracySource() << "\n";
    if (absl::AsciiStrToLower(DataSpec::Dataset_Name(data.dataset())) != known_dataset) {
      std::cout << "note: the networks train on " << DataSpec::Dataset_Name(data.dataset())
                << ", not on the table's " << known_dataset << "\n";
    }
  }
  std::cout << "space: " << study_space.name << ", stand-alone networks "
            << specs.standalone.network().ShortDebugString() << "\n";

  std::vector<std::vector<double>> accuracy;
  for (int i = 0; i < count; ++i) {
    EvalSpec spec = specs.standalone;
    spec.mutable_runtime()->set_output_dir(JoinPath(out, absl::StrCat("standalone", i + 1)));
    MDENAS_ASSIGN_OR_RETURN(std::vector<double> curve, TrainStandAlone(spec, architectures[i]));
    std::cout << absl::StrFormat("architecture %2d/%d: test top-1 by epoch",
                                 i + 1, count);
    for (double a : curve) std::cout << absl::StrFormat(" %5.1f", a);
    if (!known.empty()) std::cout << absl::StrFormat("; %s %5.2f", known_column, known[i]);
    std::cout << std::endl;
    accuracy.push_back(std::move(curve));
  }
  const std::vector<double> taus = TauAgainstLastEpoch(accuracy);
  const std::vector<double> known_taus =
      known.empty() ? std::vector<double>() : TauOfEachEpoch(accuracy, known);

  std::vector<double> in_supernet;
  double supernet_tau = 0;
  double supernet_known_tau = 0;
  if (supernet_epochs > 0) {
    specs.supernet.mutable_runtime()->set_output_dir(JoinPath(out, "supernet"));
    std::cout << "supernet: " << space->Description() << ", "
              << supernet_epochs << " epochs, a path every batch drawn "
              << (specs.supernet_sampling == "uniform" ? "uniformly"
                                                       : "from the distributions MdeNAS learns")
              << "\n";
    MDENAS_ASSIGN_OR_RETURN(in_supernet, InSupernetAccuracy(architectures, specs.supernet));
    std::vector<double> final_accuracy;
    for (const std::vector<double>& curve : accuracy) {
      final_accuracy.push_back(curve.back());
    }
    supernet_tau = KendallTau(in_supernet, final_accuracy);
    if (!known.empty()) supernet_known_tau = KendallTau(in_supernet, known);
  }

  std::string architectures_csv = "architecture,text";
  for (int e = 1; e <= epochs; ++e) absl::StrAppend(&architectures_csv, ",epoch", e);
  absl::StrAppend(&architectures_csv, in_supernet.empty() ? "" : ",in_supernet",
                  known.empty() ? "" : absl::StrCat(",", known_column), "\n");
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&architectures_csv, i + 1, ",\"", architectures[i].text, "\"");
    for (double a : accuracy[i]) absl::StrAppend(&architectures_csv, ",", a);
    if (!in_supernet.empty()) {
      absl::StrAppend(&architectures_csv, ",", in_supernet[i]);
    }
    if (!known.empty()) absl::StrAppend(&architectures_csv, ",", known[i]);
    absl::StrAppend(&architectures_csv, "\n");
  }
  std::string tau_csv = absl::StrCat(
      "epoch,tau,p_tau",
      known.empty() ? "" : absl::StrCat(",tau_", known_column, ",p_tau_", known_column), "\n");
  std::string table = absl::StrFormat(
      "\nKendall's tau between the ranking of %d architectures after each "
      "epoch and after epoch %d",
      count, epochs);
  if (known.empty()) {
    absl::StrAppend(&table, "\n\n| epoch | tau | p_tau |\n|---|---|---|\n");
  } else {
    absl::StrAppend(&table, " (tau), and the ranking by ", known_dataset, " test accuracy of ",
                    space->KnownAccuracySource(), " (tau_table)",
                    "\n\n| epoch | tau | p_tau | tau_table | p_tau_table |\n"
                    "|---|---|---|---|---|\n");
  }
  for (int e = 0; e < epochs; ++e) {
    absl::StrAppend(&tau_csv, e + 1, ",", taus[e], ",", ConcordanceProbability(taus[e]));
    absl::StrAppend(&table, absl::StrFormat("| %d |", e + 1), TauCells(taus[e], " %.3f | %.3f |"));
    if (!known.empty()) {
      absl::StrAppend(&tau_csv, ",", known_taus[e], ",", ConcordanceProbability(known_taus[e]));
      absl::StrAppend(&table, TauCells(known_taus[e], " %.3f | %.3f |"));
    }
    absl::StrAppend(&tau_csv, "\n");
    absl::StrAppend(&table, "\n");
  }
  if (!in_supernet.empty()) {
    absl::StrAppend(&tau_csv, "supernet,", supernet_tau, ",",
                    ConcordanceProbability(supernet_tau));
    absl::StrAppend(
        &table,
        absl::StrFormat("\nin the supernet after %d epochs against stand-alone epoch %d:",
                        supernet_epochs, epochs),
        TauCells(supernet_tau, " tau %.3f, p_tau %.3f"));
    if (!known.empty()) {
      absl::StrAppend(&tau_csv, ",", supernet_known_tau, ",",
                      ConcordanceProbability(supernet_known_tau));
      absl::StrAppend(&table, "; against the table: ",
                      TauCells(supernet_known_tau, "tau %.3f, p_tau %.3f"));
    }
    absl::StrAppend(&tau_csv, "\n");
    absl::StrAppend(&table, "\n");
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
      "rankings across training epochs, in the supernet, and against a "
      "benchmark's known accuracies where the space has them.");
  mdenas::ParseCommandLine(argc, argv);
  const absl::Status status = mdenas::Main();
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
