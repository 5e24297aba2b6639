// //benchmarks:nb201_study: does the search find good architectures? Every
// method of benchmarks/nb201_study_methods.h searches NAS-Bench-201 under several
// seeds at one budget (the base spec, benchmarks/specs/nb201_study.textproto
// unless --spec), and the table gives the true accuracy of what each found.
// Each search has its run directory under --out, <method>/seed<N>; run the
// study again with the same --out and it resumes where it stopped: a search
// that --out/study.json records is reused (so a committed study.json is
// enough to go on with on another machine), an unfinished one resumes from
// its checkpoint. Writes study.json (Nb201Study, every recorded run and the
// new ones) and study.md after every search.
//
//   bazel run //benchmarks:nb201_study -- --out=benchmarks/results/nb201_study
//   bazel run //benchmarks:nb201_study -- --methods=paper,rsps --seeds=1

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "benchmarks/nb201_study_methods.h"
#include "benchmarks/processor.h"
#include "data/training_data.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "mdenas/base/file.h"
#include "mdenas/base/heap_reuse.h"
#include "mdenas/base/json.h"
#include "mdenas/base/problems.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/driver/search.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/run/run_flags.h"
#include "mdenas/space/spaces.h"
#include "mdenas/spec/spec_validation.h"

ABSL_FLAG(int, seeds, 3, "Searches per method, with seeds --seed, --seed + 1, ...");
ABSL_FLAG(std::string, methods, "",
          "Comma-separated methods to run (paper, authors_code, per_batch, accuracy_rank, "
          "rsps); empty: all.");
ABSL_FLAG(int, candidates, 20,
          "Random architectures the rsps baseline validates, each on the whole validation split.");

namespace mdenas {
namespace {

constexpr char kPreset[] = "benchmarks/specs/nb201_study.textproto";

// The fields each method sets: the base spec must leave them alone.
constexpr const char* kMethodFields[] = {"learner.sampling", "learner.update",
                                         "learner.warmup_epochs", "random_candidates"};

// The method of `methods` (a vector or a repeated field) called `name`, or
// methods.end().
template <typename Methods>
auto FindMethod(const Methods& methods, absl::string_view name) {
  return std::find_if(methods.begin(), methods.end(),
                      [&](const Nb201StudyMethod& method) { return method.name() == name; });
}

absl::StatusOr<std::vector<Nb201StudyMethod>> SelectedMethods(int epochs) {
  std::vector<Nb201StudyMethod> all = Nb201StudyMethods(epochs, absl::GetFlag(FLAGS_candidates));
  const std::string wanted = absl::GetFlag(FLAGS_methods);
  if (wanted.empty()) return all;
  std::vector<Nb201StudyMethod> selected;
  for (absl::string_view name : absl::StrSplit(wanted, ',')) {
    const auto method = FindMethod(all, name);
    if (method == all.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --methods: no method '", name, "'; the methods are ",
                       absl::StrJoin(all, ", ", [](std::string* out, const Nb201StudyMethod& m) {
                         out->append(m.name());
                       })));
    }
    selected.push_back(*method);
  }
  return selected;
}

// Orders `study`'s runs by method and seed, summarises them, and writes
// study.json and study.md into `out`.
absl::Status WriteStudy(const std::string& out, Nb201Study* study) {
  const std::vector<Nb201StudyMethod> methods(study->methods().begin(), study->methods().end());
  std::vector<Nb201StudyRun> runs(study->runs().begin(), study->runs().end());
  auto order = [&](const Nb201StudyRun& run) {
    return std::make_pair(FindMethod(methods, run.method()) - methods.begin(), run.seed());
  };
  std::stable_sort(runs.begin(), runs.end(),
                   [&](const auto& a, const auto& b) { return order(a) < order(b); });
  study->clear_runs();
  for (const Nb201StudyRun& run : runs) *study->add_runs() = run;
  study->clear_summaries();
  for (const Nb201StudySummary& summary : Summarize(methods, runs)) {
    *study->add_summaries() = summary;
  }
  MDENAS_ASSIGN_OR_RETURN(const std::string json, ProtoJson(*study));
  MDENAS_RETURN_IF_ERROR(WriteFileAtomically(JoinPath(out, "study.json"), json));
  return WriteFileAtomically(JoinPath(out, "study.md"), StudyMarkdown(*study));
}

// The study an earlier run wrote to `path`, or an empty one if there is none.
absl::StatusOr<Nb201Study> RecordedStudy(const std::string& path) {
  Nb201Study study;
  if (!PathExists(path)) return study;
  MDENAS_ASSIGN_OR_RETURN(const std::string json, ReadFile(path));
  const auto parsed = google::protobuf::util::JsonStringToMessage(json, &study);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a study in JSON: ", std::string(parsed.message())));
  }
  return study;
}

// "" if `a` and `b` are equal, else what differs, field by field.
std::string Differences(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  std::string report;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  differencer.Compare(a, b);
  return report;
}

// Joins `methods` into `study`, the study recorded at `path`, whose runs
// are then reused: its methods and runs are kept (selected or not), and the
// new methods follow. Refuses a recording of another base spec or another
// definition of a selected method: its runs would answer another question.
absl::Status JoinRecordedStudy(const std::string& path, const SearchSpec& base,
                               absl::Span<const Nb201StudyMethod> methods, Nb201Study* study) {
  Problems problems;
  if (study->has_base_spec()) {
    const std::string differences = Differences(study->base_spec(), base);
    if (!differences.empty()) {
      problems.Add(absl::InvalidArgumentError(
          absl::StrCat(path, ": recorded with another base spec (recorded -> now):\n", differences,
                       "use another --out for other settings")));
    }
  }
  *study->mutable_base_spec() = base;
  for (const Nb201StudyMethod& method : methods) {
    const auto recorded = FindMethod(study->methods(), method.name());
    if (recorded == study->methods().end()) {
      *study->add_methods() = method;
      continue;
    }
    const std::string differences = Differences(*recorded, method);
    if (!differences.empty()) {
      problems.Add(absl::InvalidArgumentError(
          absl::StrCat(path, ": method ", method.name(),
                       " recorded with other settings (recorded -> now):\n", differences)));
    }
  }
  return problems.ToStatus();
}

const Nb201StudyRun* FindRun(const Nb201Study& study, const std::string& method, uint64_t seed) {
  for (const Nb201StudyRun& run : study.runs()) {
    if (run.method() == method && run.seed() == seed) return &run;
  }
  return nullptr;
}

// Runs `spec`'s search in its output directory, resuming it if the
// directory holds a checkpoint; a finished search is only read back.
absl::StatusOr<RunResult> RunOrResume(const SearchSpec& spec, const TrainingData& data) {
  const std::string dir = spec.runtime().output_dir();
  const bool resume = PathExists(JoinPath(dir, kCheckpointFile));
  MDENAS_ASSIGN_OR_RETURN(RunDirectory run,
                          resume ? RunDirectory::Open(dir) : RunDirectory::Create(dir, spec));
  MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<Search> search,
                          Search::Create(spec, data, std::move(run), resume));
  if (resume) std::cout << "  resuming after epoch " << search->epochs_done() << "\n";
  ProgressReporter progress(&std::cout, &std::cerr, false, spec.epochs());
  MDENAS_RETURN_IF_ERROR(search->Run(&progress));
  return search->result();
}

absl::Status Main(const char* argv0) {
  if (!ResumeFlag().empty()) {
    return absl::InvalidArgumentError(
        "flag --resume: the study resumes by itself; run it again with the same --out");
  }
  if (absl::GetFlag(FLAGS_seeds) < 1 || absl::GetFlag(FLAGS_candidates) < 1) {
    return absl::InvalidArgumentError("flags --seeds and --candidates must be at least 1");
  }
  SearchSpec base;
  SpecOrigins origins;
  MDENAS_RETURN_IF_ERROR(SpecFromFlags(argv0, kPreset, RunFieldFlags(), &base, &origins));
  Problems problems;
  for (const char* field : kMethodFields) {
    const std::string origin = origins.Find(field);
    if (!origin.empty()) {
      problems.Add(absl::InvalidArgumentError(
          absl::StrCat(origin, ": ", field, " is set by each method of the study")));
    }
  }
  std::string notice;
  CheckNewRun(origins, base.mutable_data(), base.mutable_runtime(), &problems, &notice);
  absl::StatusOr<std::unique_ptr<SearchSpace>> space = MakeSearchSpace(base.space());
  problems.Add(space.status());
  if (space.ok() && (*space)->KnownAccuracySource().empty()) {
    problems.Add(absl::FailedPreconditionError(
        "the study needs a space with known accuracies: --space=nb201 with its table "
        "(--set=space.nb201.table=FILE, or the shared data's nb201/nb201_accuracy.csv)"));
  }
  absl::StatusOr<std::vector<Nb201StudyMethod>> selected = SelectedMethods(base.epochs());
  problems.Add(selected.status());
  if (selected.ok()) {
    // Each method's spec, checked as a search checks its own.
    for (const Nb201StudyMethod& method : *selected) {
      problems.Add(ValidateSpec(MethodSpec(base, method, base.runtime().seed(), ""), origins));
    }
  }
  MDENAS_RETURN_IF_ERROR(problems.ToStatus());
  if (!notice.empty()) std::cout << notice << "\n";
  const std::vector<Nb201StudyMethod> methods = *std::move(selected);
  const std::string out = base.runtime().output_dir();
  MDENAS_RETURN_IF_ERROR(MakeDirectories(out));

  const std::string study_file = JoinPath(out, "study.json");
  MDENAS_ASSIGN_OR_RETURN(Nb201Study study, RecordedStudy(study_file));
  SearchSpec study_base = base;
  study_base.mutable_runtime()->clear_output_dir();
  study_base.mutable_runtime()->clear_seed();
  MDENAS_RETURN_IF_ERROR(JoinRecordedStudy(study_file, study_base, methods, &study));
  MDENAS_ASSIGN_OR_RETURN(
      const TrainingData data,
      OpenSearchData(base.data(), base.train_fraction(), base.split_seed()));
  study.clear_published();
  for (const PublishedNb201Result& result : PublishedNb201Results()) {
    *study.add_published() = result;
  }
  study.set_table((*space)->KnownAccuracySource());
  const std::string processor = ThisProcessor();
  std::cout << "NAS-Bench-201 study: " << methods.size() << " methods x "
            << absl::GetFlag(FLAGS_seeds) << " seeds, " << base.epochs() << " epochs each\n"
            << "data: " << data.description << "\nstudy directory: " << out << "\n";
  for (const Nb201StudyMethod& method : methods) {
    for (int k = 0; k < absl::GetFlag(FLAGS_seeds); ++k) {
      const uint64_t seed = base.runtime().seed() + k;
      const std::string dir = JoinPath(JoinPath(out, method.name()), absl::StrCat("seed", seed));
      std::cout << "\n" << method.name() << ", seed " << seed << " (" << dir << ")\n";
      if (const Nb201StudyRun* recorded = FindRun(study, method.name(), seed)) {
        std::cout << "  recorded in " << study_file << ": " << recorded->architecture() << "\n";
        continue;
      }
      MDENAS_ASSIGN_OR_RETURN(const RunResult result,
                              RunOrResume(MethodSpec(base, method, seed, dir), data));
      study.set_device(result.device());
      study.set_precision(result.precision());
      Nb201StudyRun& run = *study.add_runs() = StudyRun(method, seed, result, dir);
      run.set_processor(processor);
      std::cout << "  found " << run.architecture();
      for (const KnownAccuracy& known : run.known_accuracies()) {
        std::cout << absl::StrFormat("\n  %-15s %.2f %% (percentile %.1f)", known.dataset(),
                                     known.test_accuracy(), known.percentile());
      }
      std::cout << absl::StrFormat("\n  search time %.0f s\n", run.wall_seconds());
      MDENAS_RETURN_IF_ERROR(WriteStudy(out, &study));
    }
  }
  MDENAS_RETURN_IF_ERROR(WriteStudy(out, &study));
  std::cout << "\n" << StudyMarkdown(study) << "\nfiles: " << out << "/{study.json,study.md}\n";
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Compares MdeNAS variants and random search with weight sharing on NAS-Bench-201.\n"
      "  nb201_study [--out=DIR] [--methods=a,b] [--seeds=N] [--spec=FILE] "
      "[--set=field=value,...]");
  mdenas::ParseRunCommandLine(argc, argv);
  absl::Status status = mdenas::ReuseFreedHeapMemory();
  if (status.ok()) status = mdenas::Main(argv[0]);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
