// //eval:train: retrains a genotype from scratch and tests it. Reads an
// EvalSpec (by default the CPU preset), applies flag overrides, checks
// everything it can before the work starts, trains with a line per epoch,
// and leaves the results in a run directory.
//
//   bazel run //eval:train -- --genotype=MDENAS
//   bazel run //eval:train -- --genotype=runs/20261122-101500   # a search
//   bazel run //eval:train -- --spec=benchmarks/specs/eval/cifar10_paper.textproto
//   bazel run //eval:train -- --resume=runs/20261122-120000

#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "data/data_location.h"
#include "data/data_spec.h"
#include "eval/retrain.h"
#include "mdenas/base/file.h"
#include "mdenas/base/problems.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/driver/progress.h"
#include "mdenas/driver/run_directory.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/space/cell_topology.h"
#include "mdenas/space/genotype.h"
#include "mdenas/spec/spec_flags.h"
#include "mdenas/spec/spec_loader.h"

ABSL_FLAG(std::string, spec, "",
          "EvalSpec in text format; default: the CPU preset "
          "benchmarks/specs/eval/cpu.textproto");
ABSL_FLAG(std::string, resume, "",
          "A run directory to continue from its last checkpoint.");
ABSL_FLAG(std::string, genotype, "",
          "Overrides `genotype`: a built-in name (DARTS_V1, DARTS_V2, "
          "MDENAS), a file holding the DARTS text form, or a search run "
          "directory.");
ABSL_FLAG(std::string, epochs, "", "Overrides `epochs`.");
ABSL_FLAG(std::string, batch_size, "", "Overrides `batch_size`.");
ABSL_FLAG(std::string, seed, "", "Overrides `runtime.seed`.");
ABSL_FLAG(std::string, threads, "", "Overrides `runtime.threads`.");
ABSL_FLAG(std::string, device, "", "Overrides `runtime.device`.");
ABSL_FLAG(std::string, out, "",
          "Overrides `runtime.output_dir`; default runs/<timestamp>.");
ABSL_FLAG(std::string, data_dir, "",
          "Overrides `data.path`. Default: $MDENAS_DATA, then "
          "../shared/data/cifar10-jpeg beside the workspace, then "
          "Fashion-MNIST.");
ABSL_FLAG(std::string, set, "",
          "Comma-separated field=value overrides of any spec field, e.g. "
          "--set=network.layers=8,cutout_length=0");

namespace mdenas {
namespace {

constexpr char kDefaultSpec[] = "benchmarks/specs/eval/cpu.textproto";

std::vector<FieldFlag> FieldFlags() {
  return {
      {"--genotype", "genotype", absl::GetFlag(FLAGS_genotype)},
      {"--epochs", "epochs", absl::GetFlag(FLAGS_epochs)},
      {"--batch_size", "batch_size", absl::GetFlag(FLAGS_batch_size)},
      {"--seed", "runtime.seed", absl::GetFlag(FLAGS_seed)},
      {"--threads", "runtime.threads", absl::GetFlag(FLAGS_threads)},
      {"--device", "runtime.device", absl::GetFlag(FLAGS_device)},
      {"--out", "runtime.output_dir", absl::GetFlag(FLAGS_out)},
      {"--data_dir", "data.path", absl::GetFlag(FLAGS_data_dir)},
  };
}

bool AnySpecFlag() {
  if (!absl::GetFlag(FLAGS_spec).empty() || !absl::GetFlag(FLAGS_set).empty()) {
    return true;
  }
  for (const FieldFlag& flag : FieldFlags()) {
    if (!flag.value.empty()) return true;
  }
  return false;
}

// The spec from --spec (or the default preset) and the flags, validated;
// `spec` holds what could be read even when there are problems.
absl::Status SpecFromFlags(const char* argv0, EvalSpec* spec,
                           SpecOrigins* origins) {
  std::string path = UserPath(absl::GetFlag(FLAGS_spec));
  if (path.empty()) {
    MDENAS_ASSIGN_OR_RETURN(path, RunfilePath(argv0, kDefaultSpec));
  }
  const absl::Status status = LoadSpecWithFlags(
      path, FieldFlags(), absl::GetFlag(FLAGS_set), spec, origins);
  if (IsGenotypePath(spec->genotype())) {
    spec->set_genotype(UserPath(spec->genotype()));
  }
  return status;
}

absl::Status Main(const char* argv0) {
  EvalSpec spec;
  SpecOrigins origins;
  Genotype genotype;
  const std::string resume = absl::GetFlag(FLAGS_resume);
  std::optional<RunDirectory> run;
  if (!resume.empty()) {
    MDENAS_ASSIGN_OR_RETURN(run, RunDirectory::Open(UserPath(resume)));
    MDENAS_ASSIGN_OR_RETURN(const EvalCheckpoint checkpoint,
                            ReadEvalCheckpoint(*run, nullptr));
    spec = checkpoint.spec();
    genotype = FromProto(checkpoint.genotype());
    if (AnySpecFlag()) {
      EvalSpec from_flags;
      MDENAS_RETURN_IF_ERROR(SpecFromFlags(argv0, &from_flags, &origins));
      if (from_flags.data().path().empty()) {  // Located when it started.
        from_flags.mutable_data()->set_path(spec.data().path());
        from_flags.mutable_data()->set_dataset(spec.data().dataset());
      } else {
        from_flags.mutable_data()->set_path(UserPath(from_flags.data().path()));
      }
      MDENAS_RETURN_IF_ERROR(ReadEvalCheckpoint(*run, &from_flags).status());
    }
    spec.mutable_runtime()->set_output_dir(run->path());
  } else {
    // Everything that can be checked before the work starts, all at once.
    Problems problems;
    problems.Add(SpecFromFlags(argv0, &spec, &origins));
    absl::StatusOr<Genotype> loaded = LoadGenotype(spec.genotype());
    if (loaded.ok()) {
      genotype = *loaded;
    } else {
      const std::string origin = origins.Find("genotype");
      problems.Add(absl::Status(
          loaded.status().code(),
          absl::StrCat(origin, origin.empty() ? "" : ": ", "genotype: ",
                       loaded.status().message())));
    }
    const std::string out = spec.runtime().output_dir().empty()
                                ? RunDirectory::DefaultPath()
                                : UserPath(spec.runtime().output_dir());
    spec.mutable_runtime()->set_output_dir(out);
    problems.Add(RunDirectory::CheckCreatable(out));
    std::string notice;
    const absl::Status located =
        LocateData(origins.Find("data.path"), spec.mutable_data(), &notice);
    problems.Add(located);
    if (located.ok()) problems.Add(CheckDataFolder(spec.data(), spec.data().path()));
    MDENAS_RETURN_IF_ERROR(problems.ToStatus());
    if (!notice.empty()) std::cout << notice << "\n";
  }
  FillDefaults(&spec);
  std::cout << "mdenas retraining: " << FormatDartsGenotype(genotype) << "\n"
            << spec.epochs() << " epochs, " << spec.network().layers()
            << " cells of " << spec.network().init_channels()
            << " channels, batch " << spec.batch_size() << ", seed "
            << spec.runtime().seed() << "\n";
  MDENAS_ASSIGN_OR_RETURN(RetrainData data, LoadRetrainData(spec));
  // A new run's directory appears only once its data has loaded.
  if (!run.has_value()) {
    MDENAS_ASSIGN_OR_RETURN(run, RunDirectory::Create(spec.runtime().output_dir()));
  }
  std::cout << "data: " << data.description << "\nrun directory: "
            << run->path() << "\n";
  if (resume.empty()) {
    MDENAS_RETURN_IF_ERROR(run->WriteText(kSpecFile, ResolvedSpecText(spec)));
  }
  MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<Retraining> retraining,
                          Retraining::Create(spec, genotype, std::move(data),
                                             *run, !resume.empty()));
  if (!resume.empty()) {
    std::cout << "resuming after epoch " << retraining->epochs_done() << "\n";
  }
  ProgressReporter progress(&std::cout, &std::cerr, ::isatty(STDERR_FILENO),
                            spec.epochs(), "test");
  MDENAS_RETURN_IF_ERROR(retraining->Run(&progress));
  const RunResult result = retraining->result();
  std::cout << absl::StrFormat(
      "\ntest top-1 %.2f%% (error %.2f%%), top-5 %.2f%%\n"
      "parameters %.2fM (without the auxiliary head), %.0fM MACs per image\n",
      result.test_top1(), 100 - result.test_top1(), result.test_top5(),
      result.parameters() / 1e6, result.macs() / 1e6);
  for (const Latency& latency : result.latency()) {
    std::cout << absl::StrFormat("latency, batch %d: %.2f ms (median of %d, %s)\n",
                                 latency.batch_size(), latency.median_ms(),
                                 latency.repeats(), latency.device());
  }
  std::cout << absl::StrFormat("%d epochs in %s, %.2f device-hours on %s\n"
                               "files: %s/{%s,%s,%s,%s,%s}\n",
                               retraining->epochs_done(),
                               FormatDuration(result.wall_seconds()),
                               result.device_hours(), result.device(),
                               run->path(), kResultFile, kEpochsFile,
                               kGenotypeFile, kSpecFile, kCheckpointFile);
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Retrains a genotype from scratch and tests it.\n"
      "  train [--spec=FILE] [--genotype=NAME|FILE|RUN_DIR] [--epochs=N] "
      "[--set=field=value,...]\n"
      "  train --resume=RUN_DIRECTORY");
  absl::ParseCommandLine(argc, argv);
  const absl::Status status = mdenas::Main(argv[0]);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
