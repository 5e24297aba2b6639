// //eval:train: retrains an architecture from scratch and tests it. Reads an
// EvalSpec (by default the CPU preset), applies flag overrides, checks
// everything it can before the work starts, trains with a line per epoch,
// and leaves the results in a run directory.
//
//   bazel run //eval:train -- --architecture=MDENAS
//   bazel run //eval:train -- --architecture=runs/20261122-101500   # a search
//   bazel run //eval:train -- --spec=benchmarks/specs/eval/cifar10_paper.textproto
//   bazel run //eval:train -- --resume=runs/20261122-120000
//   bazel run //eval:train -- --architecture=DARTS_V2 --init_weights=darts_v2.pt

#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "data/training_data.h"
#include "eval/retrain.h"
#include "mdenas/base/file.h"
#include "mdenas/base/heap_reuse.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/distributed/data_parallel.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/run/run_flags.h"
#include "mdenas/run/run_start.h"
#include "mdenas/space/load_architecture.h"
#include "mdenas/space/spaces.h"

ABSL_FLAG(std::string, architecture, "",
          "Overrides `architecture`: a built-in name (DARTS: DARTS_V1, DARTS_V2, "
          "MDENAS), the space's text form, a file holding it, or a search run "
          "directory.");

ABSL_FLAG(std::string, init_weights, "",
          "Overrides `init_weights`: a weights file to start from (a retraining's "
          "weights.pt, or Python's torch.save(model.state_dict(), f) of the reference "
          "model: DARTS's NetworkCIFAR, NAS-Bench-201's TinyNetwork).");

namespace mdenas {
namespace {

constexpr char kDefaultSpec[] = "benchmarks/specs/eval/cpu.textproto";

// The architecture a new run's spec names, checked, with a path made
// absolute in the spec.
void CheckArchitecture(google::protobuf::Message* message, const SpecOrigins& origins,
                       Problems* problems) {
  EvalSpec* spec = google::protobuf::DynamicCastToGenerated<EvalSpec>(message);
  const std::string origin = origins.Find("architecture");
  const auto fault = [&](const absl::Status& status) {
    problems->Add(absl::Status(status.code(), absl::StrCat(origin, origin.empty() ? "" : ": ",
                                                           "architecture: ", status.message())));
  };
  const absl::StatusOr<std::unique_ptr<SearchSpace>> space = SearchSpaceOf(spec->network());
  if (!space.ok()) return fault(space.status());
  if (IsArchitecturePath(**space, spec->architecture())) {
    spec->set_architecture(UserPath(spec->architecture()));
  }
  const absl::StatusOr<Architecture> architecture = LoadArchitecture(**space, spec->architecture());
  if (!architecture.ok()) fault(architecture.status());
}

// The weights file a new run's spec names, made absolute and there; whether
// it fits the network is checked once the network is built, before training.
void CheckInitWeights(google::protobuf::Message* message, const SpecOrigins& origins,
                      Problems* problems) {
  EvalSpec* spec = google::protobuf::DynamicCastToGenerated<EvalSpec>(message);
  if (spec->init_weights().empty()) return;
  spec->set_init_weights(UserPath(spec->init_weights()));
  if (!PathExists(spec->init_weights()) || IsDirectory(spec->init_weights())) {
    const std::string origin = origins.Find("init_weights");
    problems->Add(absl::NotFoundError(absl::StrCat(
        origin, origin.empty() ? "" : ": ", "init_weights: no file ", spec->init_weights())));
  }
}

absl::Status Main(const char* argv0) {
  EvalSpec spec;
  const std::vector<FieldFlag> flags =
      RunFieldFlags({SpaceFlag("network"),
                     {"--architecture", "architecture", absl::GetFlag(FLAGS_architecture)},
                     {"--init_weights", "init_weights", absl::GetFlag(FLAGS_init_weights)}});
  if (PrintSpecFlag()) return PrintSpecFromFlags(argv0, kDefaultSpec, flags, &spec);
  MDENAS_ASSIGN_OR_RETURN(const RunStart start,
                          StartRun(argv0, kDefaultSpec, flags, "retraining", &spec,
                                   [](google::protobuf::Message* message,
                                      const SpecOrigins& origins, Problems* problems) {
                                     CheckArchitecture(message, origins, problems);
                                     CheckInitWeights(message, origins, problems);
                                   }));
  MDENAS_ASSIGN_OR_RETURN(const DataParallel parallel,
                          JoinDataParallel(spec, spec.runtime().device()));
  const bool leader = parallel.world->rank() == 0;
  std::ostream& out = RankZeroOutput(*parallel.world);
  if (!start.notice.empty()) out << start.notice << "\n";
  MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<SearchSpace> space, SearchSpaceOf(spec.network()));
  Architecture architecture;
  if (start.resume()) {
    architecture.text = start.checkpoint->retraining().architecture();
  } else {
    MDENAS_ASSIGN_OR_RETURN(architecture, LoadArchitecture(*space, spec.architecture()));
  }
  out << "mdenas retraining (" << space->name() << "): " << architecture.text << "\n"
      << spec.epochs() << " epochs, batch " << spec.batch_size() << ", seed "
      << spec.runtime().seed() << "\n";
  MDENAS_ASSIGN_OR_RETURN(TrainingData data, OpenRetrainingData(spec.data(), spec.cutout_length()));
  const std::string description = data.description;
  MDENAS_ASSIGN_OR_RETURN(const RunDirectory run, RunDirectoryOfRankZero(*parallel.world, [&] {
                            return start.Directory(spec);
                          }));
  MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<Retraining> retraining,
                          Retraining::Create(spec, architecture, std::move(data), run,
                                             start.resume(), parallel.replicas.get()));
  out << "data: " << description << "\nrun directory: " << run.path() << "\n";
  out << ProcessesLine(*parallel.world);
  if (start.resume()) out << "resuming after epoch " << retraining->epochs_done() << "\n";
  ProgressReporter progress(&out, leader ? &std::cerr : &out, leader && ::isatty(STDERR_FILENO),
                            spec.epochs(), "test");
  MDENAS_RETURN_IF_ERROR(retraining->Run(&progress));
  if (!leader) return absl::OkStatus();
  const RunResult result = retraining->result();
  std::cout << absl::StrFormat(
      "\ntest top-1 %.2f%% (error %.2f%%), top-5 %.2f%%\n"
      "parameters %.2fM (without the auxiliary head), %.0fM MACs per image\n",
      result.test_top1(), 100 - result.test_top1(), result.test_top5(), result.parameters() / 1e6,
      result.macs() / 1e6);
  for (const Latency& latency : result.latency()) {
    std::cout << absl::StrFormat("latency, batch %d: %.2f ms (median of %d, %s)\n",
                                 latency.batch_size(), latency.median_ms(), latency.repeats(),
                                 latency.device());
  }
  std::cout << absl::StrFormat(
      "%d epochs in %s, %.2f device-hours on %s\n"
      "report: %s/%s (tensorboard --logdir %s)\n"
      "files: %s/{%s,%s,%s,%s,%s,%s,%s}\n",
      retraining->epochs_done(), FormatDuration(result.wall_seconds()), result.device_hours(),
      result.device(), run.path(), kReportFile, run.path(), run.path(), kResultFile, kEpochsFile,
      kArchitectureFile, kArchitectureDotFile, kWeightsFile, kSpecFile, kCheckpointFile);
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Retrains an architecture from scratch and tests it.\n"
      "  train [--spec=FILE] [--architecture=NAME|TEXT|FILE|RUN_DIR] [--init_weights=FILE] "
      "[--epochs=N] [--set=field=value,...]\n"
      "  train --resume=RUN_DIRECTORY\n"
      "  train --processes=N [...]   (or under torchrun --no_python, or srun)\n"
      "  train --print_spec [--spec=FILE] [--set=field=value,...]");
  mdenas::ParseRunCommandLine(argc, argv);
  if (std::optional<int> launched = mdenas::RunProcessesIfAsked(argc, argv)) return *launched;
  absl::Status status = mdenas::ReuseFreedHeapMemory();
  if (status.ok()) status = mdenas::Main(argv[0]);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
