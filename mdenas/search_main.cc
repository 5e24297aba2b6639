// //mdenas:search: neural architecture search by multinomial distribution
// learning. Reads a SearchSpec (by default the CPU preset), applies flag
// overrides, checks everything it can before the work starts, runs the
// search with a line per epoch, and leaves the results in a run directory.
//
//   bazel run //mdenas:search
//   bazel run //mdenas:search -- --spec=benchmarks/specs/cifar10_paper.textproto
//   bazel run //mdenas:search -- --resume=runs/20261122-101500

#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "data/data_location.h"
#include "data/data_spec.h"
#include "mdenas/base/file.h"
#include "mdenas/base/problems.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/driver/progress.h"
#include "mdenas/driver/run_directory.h"
#include "mdenas/driver/search.h"
#include "mdenas/driver/search_checkpoint.h"
#include "mdenas/space/cell_topology.h"
#include "mdenas/spec/spec_flags.h"
#include "mdenas/spec/spec_loader.h"

ABSL_FLAG(std::string, spec, "",
          "SearchSpec in text format; default: the CPU preset "
          "benchmarks/specs/cpu_default.textproto");
ABSL_FLAG(std::string, resume, "",
          "A run directory to continue from its last checkpoint.");
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
          "Fashion-MNIST from /usr/share/datasets/fashion-mnist.");
ABSL_FLAG(std::string, set, "",
          "Comma-separated field=value overrides of any spec field, e.g. "
          "--set=optimizer.learning_rate=0.05,space.layers=5");

namespace mdenas {
namespace {

constexpr char kDefaultSpec[] = "benchmarks/specs/cpu_default.textproto";

bool AnySpecFlag() {
  return !absl::GetFlag(FLAGS_spec).empty() ||
         !absl::GetFlag(FLAGS_epochs).empty() ||
         !absl::GetFlag(FLAGS_batch_size).empty() ||
         !absl::GetFlag(FLAGS_seed).empty() ||
         !absl::GetFlag(FLAGS_threads).empty() ||
         !absl::GetFlag(FLAGS_device).empty() ||
         !absl::GetFlag(FLAGS_out).empty() ||
         !absl::GetFlag(FLAGS_data_dir).empty() ||
         !absl::GetFlag(FLAGS_set).empty();
}

// The spec from --spec (or the default preset) and the flags, validated;
// `spec` holds what could be read even when there are problems.
absl::Status SpecFromFlags(const char* argv0, SearchSpec* spec,
                           SpecOrigins* origins) {
  std::string path = UserPath(absl::GetFlag(FLAGS_spec));
  if (path.empty()) {
    MDENAS_ASSIGN_OR_RETURN(path, RunfilePath(argv0, kDefaultSpec));
  }
  return LoadSpecWithFlags(
      path,
      {
          {"--epochs", "epochs", absl::GetFlag(FLAGS_epochs)},
          {"--batch_size", "batch_size", absl::GetFlag(FLAGS_batch_size)},
          {"--seed", "runtime.seed", absl::GetFlag(FLAGS_seed)},
          {"--threads", "runtime.threads", absl::GetFlag(FLAGS_threads)},
          {"--device", "runtime.device", absl::GetFlag(FLAGS_device)},
          {"--out", "runtime.output_dir", absl::GetFlag(FLAGS_out)},
          {"--data_dir", "data.path", absl::GetFlag(FLAGS_data_dir)},
      },
      absl::GetFlag(FLAGS_set), spec, origins);
}

void PrintSummary(const Search& search, const RunDirectory& run) {
  const MultinomialLearner& learner = search.learner();
  const std::vector<std::string>& ops = DartsOperations();
  const int edges = learner.edges() / 2;
  std::cout << "\ngenotype:\n  " << FormatDartsGenotype(search.genotype())
            << "\n\nmost probable operations per edge:\n";
  for (int edge = 0; edge < learner.edges(); ++edge) {
    const std::vector<double>& p = learner.probabilities(edge);
    std::vector<int> order(p.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return p[a] > p[b]; });
    const CellEdge ends = CellEdgeAt(edge % edges);
    std::cout << absl::StrFormat("  %-6s %d->%d  %s %.3f  %s %.3f  %s %.3f\n",
                                 edge < edges ? "normal" : "reduce", ends.input,
                                 ends.node, ops[order[0]], p[order[0]],
                                 ops[order[1]], p[order[1]], ops[order[2]],
                                 p[order[2]]);
  }
  const RunResult result = search.result();
  std::cout << absl::StrFormat(
      "\nmean entropy %.3f nats (uniform: %.3f), mean p(none) %.3f\n"
      "%d epochs in %s, %.0f training images/s, %.2f device-hours on %s\n"
      "files: %s/{%s,%s,%s,%s,%s,%s}\n",
      result.mean_entropy(), std::log(static_cast<double>(ops.size())),
      result.mean_none_probability(), search.epochs_done(),
      FormatDuration(result.wall_seconds()), result.images_per_second(),
      result.device_hours(), result.device(), run.path(), kGenotypeFile,
      kResultFile, kEpochsFile, kDistributionFile, kSpecFile, kCheckpointFile);
}

absl::Status Main(const char* argv0) {
  SearchSpec spec;
  SpecOrigins origins;
  const std::string resume = absl::GetFlag(FLAGS_resume);
  std::optional<RunDirectory> run;
  if (!resume.empty()) {
    MDENAS_ASSIGN_OR_RETURN(run, RunDirectory::Open(UserPath(resume)));
    // The checkpoint's spec, or the flags' if they name one, which must
    // then equal it.
    MDENAS_ASSIGN_OR_RETURN(const SearchCheckpoint checkpoint,
                            ReadSearchCheckpoint(*run, nullptr));
    spec = checkpoint.spec();
    if (AnySpecFlag()) {
      SearchSpec from_flags;
      MDENAS_RETURN_IF_ERROR(SpecFromFlags(argv0, &from_flags, &origins));
      if (from_flags.data().path().empty()) {  // Located when it started.
        from_flags.mutable_data()->set_path(spec.data().path());
        from_flags.mutable_data()->set_dataset(spec.data().dataset());
      } else {
        from_flags.mutable_data()->set_path(UserPath(from_flags.data().path()));
      }
      MDENAS_RETURN_IF_ERROR(ReadSearchCheckpoint(*run, &from_flags).status());
    }
    spec.mutable_runtime()->set_output_dir(run->path());
  } else {
    // Everything that can be checked before the work starts, all at once.
    Problems problems;
    problems.Add(SpecFromFlags(argv0, &spec, &origins));
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
  std::cout << "mdenas search: " << spec.epochs() << " epochs, "
            << spec.space().layers() << " cells of " << spec.space().init_channels()
            << " channels, batch " << spec.batch_size() << ", seed "
            << spec.runtime().seed() << "\n";
  MDENAS_ASSIGN_OR_RETURN(SearchData data, LoadSearchData(spec));
  // A new run's directory appears only once its data has loaded.
  if (!run.has_value()) {
    MDENAS_ASSIGN_OR_RETURN(run, RunDirectory::Create(spec.runtime().output_dir()));
  }
  std::cout << "data: " << data.description << "\nrun directory: "
            << run->path() << "\n" << ShortPathLegend() << "\n";
  if (resume.empty()) {
    MDENAS_RETURN_IF_ERROR(run->WriteText(kSpecFile, ResolvedSpecText(spec)));
  }
  MDENAS_ASSIGN_OR_RETURN(
      std::unique_ptr<Search> search,
      Search::Create(spec, std::move(data), *run, !resume.empty()));
  if (!resume.empty()) {
    std::cout << "resuming after epoch " << search->epochs_done() << "\n";
  }
  ProgressReporter progress(&std::cout, &std::cerr, ::isatty(STDERR_FILENO),
                            spec.epochs());
  MDENAS_RETURN_IF_ERROR(search->Run(&progress));
  PrintSummary(*search, *run);
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Neural architecture search by multinomial distribution learning.\n"
      "  search [--spec=FILE] [--epochs=N] [--set=field=value,...]\n"
      "  search --resume=RUN_DIRECTORY");
  absl::ParseCommandLine(argc, argv);
  const absl::Status status = mdenas::Main(argv[0]);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
