// //mdenas:search: neural architecture search by multinomial distribution
// learning. Reads a SearchSpec (by default the CPU preset), applies flag
// overrides, checks everything it can before the work starts, runs the
// search with a line per epoch, and leaves the results in a run directory.
//
//   bazel run //mdenas:search
//   bazel run //mdenas:search -- --spec=benchmarks/specs/cifar10_paper.textproto
//   bazel run //mdenas:search -- --resume=runs/20261122-101500

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <numeric>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "data/training_data.h"
#include "mdenas/base/heap_reuse.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/distributed/data_parallel.h"
#include "mdenas/driver/search.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/run/run_flags.h"
#include "mdenas/run/run_start.h"
#include "mdenas/space/spaces.h"

ABSL_FLAG(std::string, nb201_table, "",
          "The NAS-Bench-201 accuracy table that gives the found architecture's true "
          "accuracies; sets space.nb201.table, which selects the nb201 space. Default: "
          "the shared data's nb201/nb201_accuracy.csv where it exists.");

namespace mdenas {
namespace {

constexpr char kDefaultSpec[] = "benchmarks/specs/cpu_default.textproto";

// The search's flags: the run's, --space, and the table that judges a
// NAS-Bench-201 search.
std::vector<FieldFlag> SearchFlags() {
  return RunFieldFlags({SpaceFlag("space"),
                        {"--nb201_table", "space.nb201.table", absl::GetFlag(FLAGS_nb201_table)}});
}

// The most probable choices of every decision, and what the run cost.
void PrintSummary(const Search& search, const RunDirectory& run) {
  const MultinomialLearner& learner = search.learner();
  const std::vector<Decision>& decisions = search.space().decisions();
  const RunResult result = search.result();
  std::cout << "\narchitecture:\n  " << search.architecture().text << "\n";
  if (result.candidates_size() > 0) {
    double best = 0;
    for (const ValidatedArchitecture& candidate : result.candidates()) {
      best = std::max(best, candidate.validation_top1());
    }
    std::cout << absl::StrFormat(
        "  the most accurate of %d random candidates through the shared weights "
        "(validation top-1 %.2f %%)\n",
        result.candidates_size(), best);
  }
  std::cout << "\nmost probable choices per decision:\n";
  double uniform_entropy = 0;
  for (int d = 0; d < learner.decisions(); ++d) {
    const std::vector<double>& p = learner.probabilities(d);
    std::vector<int> order(p.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
    std::cout << "  " << decisions[d].label;
    for (size_t k = 0; k < std::min<size_t>(3, order.size()); ++k) {
      std::cout << absl::StrFormat("  %s %.3f", decisions[d].choices[order[k]], p[order[k]]);
    }
    std::cout << "\n";
    uniform_entropy += std::log(static_cast<double>(p.size()));
  }
  std::cout << absl::StrFormat("\nmean entropy %.3f nats (uniform: %.3f)", result.mean_entropy(),
                               uniform_entropy / learner.decisions());
  if (result.has_mean_none_probability()) {
    std::cout << absl::StrFormat(", mean p(none) %.3f", result.mean_none_probability());
  }
  if (result.known_accuracies_size() > 0) {
    std::cout << "\nknown test accuracy of the architecture (" << result.known_accuracy_source()
              << "):";
    for (const KnownAccuracy& known : result.known_accuracies()) {
      std::cout << absl::StrFormat("\n  %-15s %.2f %%, percentile %.2f", known.dataset(),
                                   known.test_accuracy(), known.percentile());
    }
  }
  std::cout << absl::StrFormat(
      "\n%d epochs in %s, %.0f training images/s, %.2f device-hours on %s\n"
      "report: %s/%s (tensorboard --logdir %s)\n"
      "files: %s/{%s,%s,%s,%s,%s,%s,%s}\n",
      search.epochs_done(), FormatDuration(result.wall_seconds()), result.images_per_second(),
      result.device_hours(), result.device(), run.path(), kReportFile, run.path(), run.path(),
      kArchitectureFile, kArchitectureDotFile, kResultFile, kEpochsFile, kDistributionFile,
      kSpecFile, kCheckpointFile);
}

// The space's own inputs (NAS-Bench-201's table), checked with the rest of
// a new run's before its directory is made.
void CheckSpace(google::protobuf::Message* spec, const SpecOrigins& origins, Problems* problems) {
  problems->Add(MakeSearchSpace(google::protobuf::DynamicCastToGenerated<SearchSpec>(spec)->space())
                    .status());
}

absl::Status Main(const char* argv0) {
  SearchSpec spec;
  if (PrintSpecFlag()) return PrintSpecFromFlags(argv0, kDefaultSpec, SearchFlags(), &spec);
  MDENAS_ASSIGN_OR_RETURN(const RunStart start, StartRun(argv0, kDefaultSpec, SearchFlags(),
                                                         "search", &spec, CheckSpace));
  MDENAS_ASSIGN_OR_RETURN(const DataParallel parallel,
                          JoinDataParallel(spec, spec.runtime().device()));
  const bool leader = parallel.world->rank() == 0;
  std::ostream& out = RankZeroOutput(*parallel.world);
  if (!start.notice.empty()) out << start.notice << "\n";
  out << "mdenas search: " << spec.epochs() << " epochs, batch " << spec.batch_size() << ", seed "
      << spec.runtime().seed() << "\n";
  MDENAS_ASSIGN_OR_RETURN(TrainingData data,
                          OpenSearchData(spec.data(), spec.train_fraction(), spec.split_seed()));
  const std::string description = data.description;
  MDENAS_ASSIGN_OR_RETURN(const RunDirectory run, RunDirectoryOfRankZero(*parallel.world, [&] {
                            return start.Directory(spec);
                          }));
  MDENAS_ASSIGN_OR_RETURN(
      std::unique_ptr<Search> search,
      Search::Create(spec, std::move(data), run, start.resume(), parallel.replicas.get()));
  out << "space: " << search->space().name() << ", " << search->space().Description()
      << "\ndata: " << description << "\nrun directory: " << run.path() << "\n";
  out << ProcessesLine(*parallel.world);
  out << search->space().PathLegend() << "\n";
  if (start.resume()) out << "resuming after epoch " << search->epochs_done() << "\n";
  ProgressReporter progress(&out, leader ? &std::cerr : &out, leader && ::isatty(STDERR_FILENO),
                            spec.epochs());
  MDENAS_RETURN_IF_ERROR(search->Run(&progress));
  if (leader) PrintSummary(*search, run);
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Neural architecture search by multinomial distribution learning.\n"
      "  search [--spec=FILE] [--epochs=N] [--set=field=value,...]\n"
      "  search --resume=RUN_DIRECTORY\n"
      "  search --processes=N [...]   (or under torchrun --no_python, or srun)\n"
      "  search --print_spec [--spec=FILE] [--set=field=value,...]");
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
