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
#include <optional>
#include <string>

#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mdenas/base/file.h"
#include "mdenas/base/heap_reuse.h"
#include "mdenas/base/problems.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/run/run_flags.h"
#include "mdenas/driver/search.h"
#include "mdenas/driver/search_checkpoint.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {
namespace {

constexpr char kDefaultSpec[] = "benchmarks/specs/cpu_default.textproto";

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
  const std::vector<FieldFlag> flags = RunFieldFlags();
  if (PrintSpecFlag()) {
    return PrintSpecFromFlags(argv0, kDefaultSpec, flags, &spec);
  }
  const std::string resume = ResumeFlag();
  std::optional<RunDirectory> run;
  if (!resume.empty()) {
    MDENAS_ASSIGN_OR_RETURN(run, RunDirectory::Open(resume));
    // The checkpoint's spec, or the flags' if they name one, which must
    // then equal it.
    MDENAS_ASSIGN_OR_RETURN(const SearchCheckpoint checkpoint,
                            ReadSearchCheckpoint(*run, nullptr));
    spec = checkpoint.spec();
    if (AnySpecFlag(flags)) {
      SearchSpec from_flags;
      MDENAS_RETURN_IF_ERROR(
          SpecFromFlags(argv0, kDefaultSpec, flags, &from_flags, &origins));
      AlignResumedData(spec.data(), from_flags.mutable_data());
      MDENAS_RETURN_IF_ERROR(ReadSearchCheckpoint(*run, &from_flags).status());
    }
    spec.mutable_runtime()->set_output_dir(run->path());
  } else {
    // Everything that can be checked before the work starts, all at once.
    Problems problems;
    problems.Add(SpecFromFlags(argv0, kDefaultSpec, flags, &spec, &origins));
    std::string notice;
    CheckNewRun(origins, spec.mutable_data(), spec.mutable_runtime(),
                &problems, &notice);
    MDENAS_RETURN_IF_ERROR(problems.ToStatus());
    if (!notice.empty()) std::cout << notice << "\n";
  }
  FillDefaults(&spec);
  std::cout << "mdenas search: " << spec.epochs() << " epochs, "
            << spec.space().darts().layers() << " cells of " << spec.space().darts().init_channels()
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
      "  search --resume=RUN_DIRECTORY\n"
      "  search --print_spec [--spec=FILE] [--set=field=value,...]");
  mdenas::ParseRunCommandLine(argc, argv);
  absl::Status status = mdenas::ReuseFreedHeapMemory();
  if (status.ok()) status = mdenas::Main(argv[0]);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
