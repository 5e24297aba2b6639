#include "benchmarks/quick_pipeline.h"

#include <unistd.h>

#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "data/data_location.h"
#include "eval/retrain.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/driver/search.h"
#include "mdenas/run/progress.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/space/spaces.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {
namespace {

constexpr char kSearchPreset[] = "benchmarks/specs/cpu_default.textproto";
constexpr char kRetrainPreset[] = "benchmarks/specs/eval/cpu.textproto";

template <typename Spec>
absl::StatusOr<Spec> LoadPreset(const char* argv0, const char* preset) {
  MDENAS_ASSIGN_OR_RETURN(const std::string path, RunfilePath(argv0, preset));
  Spec spec;
  SpecOrigins origins;
  MDENAS_RETURN_IF_ERROR(LoadSpecFile(path, &spec, &origins));
  std::string notice;
  MDENAS_RETURN_IF_ERROR(LocateData("", spec.mutable_data(), &notice));
  if (!notice.empty()) std::cout << notice << "\n";
  return spec;
}

absl::StatusOr<Architecture> RunSearch(SearchSpec spec, const std::string& out) {
  spec.mutable_runtime()->set_output_dir(out);
  FillDefaults(&spec);
  std::cout << "== search: " << out << std::endl;
  ProgressReporter progress(&std::cout, &std::cerr, ::isatty(STDERR_FILENO), spec.epochs());
  MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<Search> search, RunNewSearch(spec, &progress));
  return search->architecture();
}

absl::Status RunRetraining(EvalSpec spec, const Architecture& architecture,
                           const std::string& architecture_source, const std::string& out) {
  spec.set_architecture(architecture_source);
  spec.mutable_runtime()->set_output_dir(out);
  FillDefaults(&spec);
  std::cout << "== retraining " << architecture.text << ": " << out << std::endl;
  ProgressReporter progress(&std::cout, &std::cerr, ::isatty(STDERR_FILENO), spec.epochs(),
                            "test");
  return RunNewRetraining(spec, architecture, &progress).status();
}

}  // namespace

absl::StatusOr<std::vector<QuickRun>> RunQuickPipeline(const char* argv0,
                                                       const std::string& out,
                                                       int random_architectures,
                                                       uint64_t seed) {
  MDENAS_ASSIGN_OR_RETURN(SearchSpec search_spec,
                          LoadPreset<SearchSpec>(argv0, kSearchPreset));
  MDENAS_ASSIGN_OR_RETURN(EvalSpec retrain_spec,
                          LoadPreset<EvalSpec>(argv0, kRetrainPreset));
  search_spec.mutable_runtime()->set_seed(seed);
  retrain_spec.mutable_runtime()->set_seed(seed);
  MDENAS_RETURN_IF_ERROR(MakeDirectories(out));

  std::vector<QuickRun> runs;
  const std::string search_dir = JoinPath(out, "search");
  MDENAS_ASSIGN_OR_RETURN(const Architecture searched, RunSearch(search_spec, search_dir));
  const std::string searched_dir = JoinPath(out, "retrain_searched");
  MDENAS_RETURN_IF_ERROR(
      RunRetraining(retrain_spec, searched, search_dir, searched_dir));
  runs.push_back({"MdeNAS search, retrained", JoinPath(searched_dir, kResultFile)});

  // The random architectures come from the searched space.
  MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<SearchSpace> space,
                          MakeSearchSpace(search_spec.space()));
  std::mt19937_64 rng(seed);
  for (int i = 1; i <= random_architectures; ++i) {
    const Architecture architecture = space->RandomArchitecture(&rng);
    const std::string dir = JoinPath(out, absl::StrCat("retrain_random", i));
    MDENAS_RETURN_IF_ERROR(RunRetraining(retrain_spec, architecture, architecture.text, dir));
    runs.push_back({absl::StrCat("random architecture ", i, ", retrained"),
                    JoinPath(dir, kResultFile)});
  }
  return runs;
}

}  // namespace mdenas
