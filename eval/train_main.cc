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
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "eval/retrain.h"
#include "mdenas/base/file.h"
#include "mdenas/base/heap_reuse.h"
#include "mdenas/base/problems.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/run/run_flags.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/space/darts/genotype.h"
#include "mdenas/spec/spec_loader.h"

ABSL_FLAG(std::string, genotype, "",
          "Overrides `genotype`: a built-in name (DARTS_V1, DARTS_V2, "
          "MDENAS), the DARTS text form, a file holding it, or a search run "
          "directory.");

namespace mdenas {
namespace {

constexpr char kDefaultSpec[] = "benchmarks/specs/eval/cpu.textproto";

// The spec from the flags, its genotype path (if it names one) made absolute.
absl::Status EvalSpecFromFlags(const char* argv0,
                               const std::vector<FieldFlag>& flags,
                               EvalSpec* spec, SpecOrigins* origins) {
  const absl::Status status =
      SpecFromFlags(argv0, kDefaultSpec, flags, spec, origins);
  if (IsGenotypePath(spec->architecture())) {
    spec->set_architecture(UserPath(spec->architecture()));
  }
  return status;
}

absl::Status Main(const char* argv0) {
  EvalSpec spec;
  SpecOrigins origins;
  Genotype genotype;
  const std::vector<FieldFlag> flags = RunFieldFlags(
      {{"--genotype", "architecture", absl::GetFlag(FLAGS_genotype)}});
  if (PrintSpecFlag()) {
    return PrintSpecFromFlags(argv0, kDefaultSpec, flags, &spec);
  }
  const std::string resume = ResumeFlag();
  std::optional<RunDirectory> run;
  if (!resume.empty()) {
    MDENAS_ASSIGN_OR_RETURN(run, RunDirectory::Open(resume));
    MDENAS_ASSIGN_OR_RETURN(const EvalCheckpoint checkpoint,
                            ReadEvalCheckpoint(*run, nullptr));
    spec = checkpoint.spec();
    genotype = FromProto(checkpoint.genotype());
    if (AnySpecFlag(flags)) {
      EvalSpec from_flags;
      MDENAS_RETURN_IF_ERROR(
          EvalSpecFromFlags(argv0, flags, &from_flags, &origins));
      AlignResumedData(spec.data(), from_flags.mutable_data());
      MDENAS_RETURN_IF_ERROR(ReadEvalCheckpoint(*run, &from_flags).status());
    }
    spec.mutable_runtime()->set_output_dir(run->path());
  } else {
    // Everything that can be checked before the work starts, all at once.
    Problems problems;
    problems.Add(EvalSpecFromFlags(argv0, flags, &spec, &origins));
    absl::StatusOr<Genotype> loaded = LoadGenotype(spec.architecture());
    if (loaded.ok()) {
      genotype = *loaded;
    } else {
      const std::string origin = origins.Find("architecture");
      problems.Add(absl::Status(
          loaded.status().code(),
          absl::StrCat(origin, origin.empty() ? "" : ": ", "genotype: ",
                       loaded.status().message())));
    }
    std::string notice;
    CheckNewRun(origins, spec.mutable_data(), spec.mutable_runtime(),
                &problems, &notice);
    MDENAS_RETURN_IF_ERROR(problems.ToStatus());
    if (!notice.empty()) std::cout << notice << "\n";
  }
  FillDefaults(&spec);
  std::cout << "mdenas retraining: " << FormatDartsGenotype(genotype) << "\n"
            << spec.epochs() << " epochs, " << spec.network().darts().layers()
            << " cells of " << spec.network().darts().init_channels()
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
      "  train --resume=RUN_DIRECTORY\n"
      "  train --print_spec [--spec=FILE] [--set=field=value,...]");
  mdenas::ParseRunCommandLine(argc, argv);
  absl::Status status = mdenas::ReuseFreedHeapMemory();
  if (status.ok()) status = mdenas::Main(argv[0]);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
