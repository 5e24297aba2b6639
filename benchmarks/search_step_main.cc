// //benchmarks:search_step: the search's training step on aten and fast
// kernels side by side, and the memory of the alternatives the single path
// is measured against:
//
//   bazel run //benchmarks:search_step -- --init_channels=16 --layers=8
//       --batch_size=64 --threads=2 --steps=20 [--out=result.json]
//
// Prints JSON (benchmarks/search_step.proto): per configuration ms/step,
// images/s, GFLOP/s, peak tensor bytes and peak RSS, and the ratios
// fast/aten_nchw, fast/best aten, and the search step's memory over the
// stand-alone network's and over the DARTS-style mixed supernet's.
//
// Every run of a configuration is a child process (this binary with
// --run_configuration), so each has its own ru_maxrss; the timed
// configurations run --repeats times, in turn.
//
// The NAS-Bench-201 supernet (--space=nb201, sized by --channels and
// --cells_per_stage) runs on aten operators only: its fast configurations
// are listed as not applicable, and only aten_nchw and aten_channels_last
// run:
//
//   bazel run //benchmarks:search_step -- --space=nb201 --channels=16
//       --cells_per_stage=5 --batch_size=64 --configurations=aten_nchw,aten_channels_last
//
// On a GPU host (the CMake build), --device=cuda times them there, fast
// being the project's CUDA depthwise convolution with ATen's operators for
// the rest:
//
//   build/benchmarks/search_step --device=cuda --batch_size=512
//       --configurations=aten_nchw,aten_channels_last,fast
//
// A change to the kernels, measured against the build before it (a copy of
// its binary): each run of a timed configuration is paired with the other
// build's, and "versus" gives the ratios of the pairs.
//
//   cp bazel-bin/benchmarks/search_step /tmp/search_step_before  # then change, and:
//   bazel run //benchmarks:search_step -- --configurations=fast --repeats=9
//       --versus=/tmp/search_step_before

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <c10/core/Device.h>
#include <c10/util/Exception.h>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "benchmarks/measurement.h"
#include "benchmarks/processor.h"
#include "benchmarks/search_step.pb.h"
#include "benchmarks/search_step_runner.h"
#include "google/protobuf/util/json_util.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/heap_reuse.h"
#include "mdenas/base/json.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/run/runtime.h"
#include "mdenas/kernels/cpu_kernels.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/spec/spec_validation.h"

ABSL_FLAG(std::string, space, "darts",
          "The search space whose supernet steps: darts (sized by --init_channels and "
          "--layers), nb201 (sized by --channels and --cells_per_stage; its supernet "
          "runs on aten only, so the fast configurations do not apply) or mobile (the GPU "
          "skeleton, sized by --channel_percent; fast: the depthwise convolutions and the "
          "BatchNorms). A size flag of another space is an error.");
ABSL_FLAG(std::optional<int64_t>, init_channels, std::nullopt,
          "darts: channels of the first cells. Default: 16.");
ABSL_FLAG(std::optional<int64_t>, layers, std::nullopt, "darts: cells. Default: 8.");
ABSL_FLAG(std::optional<int64_t>, channels, std::nullopt,
          "nb201: channels of the first stage's cells (C; then 2C and 4C). Default: 16.");
ABSL_FLAG(std::optional<int64_t>, cells_per_stage, std::nullopt,
          "nb201: cells per stage (N). Default: 5.");
ABSL_FLAG(std::optional<int64_t>, channel_percent, std::nullopt,
          "mobile: every channel count of the skeleton times this / 100. Default: 100.");
ABSL_FLAG(int64_t, batch_size, 64, "Images per step.");
ABSL_FLAG(int64_t, image_size, 32, "Image height and width (CIFAR: 32).");
ABSL_FLAG(int32_t, threads, 2, "Intra-op threads.");
ABSL_FLAG(int32_t, steps, 20, "Timed steps per run.");
ABSL_FLAG(int32_t, warmup_steps, 2, "Untimed steps before them.");
ABSL_FLAG(int32_t, repeats, 3,
          "Runs of each timed configuration (aten_nchw, aten_channels_last, fast), "
          "in turn; the others run once.");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the weights, images and sampled paths.");
ABSL_FLAG(std::string, device, "cpu",
          "Where the steps run: cpu, cuda or cuda:<index> (aten configurations only).");
ABSL_FLAG(std::string, configurations,
          "aten_nchw,aten_channels_last,fast,standalone_fast,mixed_fast",
          "Comma-separated configurations to run.");
ABSL_FLAG(std::string, precision, "float32",
          "float32, or bfloat16: the forward passes under ATen's bfloat16 autocast "
          "(aten configurations only).");
ABSL_FLAG(std::string, out, "", "Also write the JSON to this file.");
ABSL_FLAG(std::string, versus, "",
          "Another build's search_step binary: every run of a timed configuration is "
          "paired with a run of the same configuration there, right before or after it "
          "(alternately), and 'versus' in the JSON gives the pairs' step-time ratios.");
ABSL_FLAG(std::string, run_configuration, "",
          "Internal: run this one configuration in this process and print its "
          "measurements as one line of JSON.");

namespace mdenas {
namespace {

constexpr char kTimedConfigurations[][24] = {"aten_nchw", "aten_channels_last", "fast"};

// A flag that sizes the supernet of one space.
struct SizeFlag {
  const char* name;  // The flag is --<name>, the setting <name>.
  const char* space;
  const absl::Flag<std::optional<int64_t>>* flag;
  int64_t default_value;
  void (SearchStepSettings::*set)(int64_t);
  int64_t (SearchStepSettings::*get)() const;
};

const SizeFlag kSizeFlags[] = {
    {"init_channels", "darts", &FLAGS_init_channels, 16, &SearchStepSettings::set_init_channels,
     &SearchStepSettings::init_channels},
    {"layers", "darts", &FLAGS_layers, 8, &SearchStepSettings::set_layers,
     &SearchStepSettings::layers},
    {"channels", "nb201", &FLAGS_channels, 16, &SearchStepSettings::set_channels,
     &SearchStepSettings::channels},
    {"cells_per_stage", "nb201", &FLAGS_cells_per_stage, 5,
     &SearchStepSettings::set_cells_per_stage, &SearchStepSettings::cells_per_stage},
    {"channel_percent", "mobile", &FLAGS_channel_percent, 100,
     &SearchStepSettings::set_channel_percent, &SearchStepSettings::channel_percent},
};

SearchStepSettings SettingsFromFlags() {
  SearchStepSettings s;
  s.set_space(absl::GetFlag(FLAGS_space));
  for (const SizeFlag& size : kSizeFlags) {
    if (s.space() == size.space) {
      (s.*size.set)(absl::GetFlag(*size.flag).value_or(size.default_value));
    }
  }
  s.set_batch_size(absl::GetFlag(FLAGS_batch_size));
  s.set_image_size(absl::GetFlag(FLAGS_image_size));
  s.set_threads(absl::GetFlag(FLAGS_threads));
  s.set_steps(absl::GetFlag(FLAGS_steps));
  s.set_warmup_steps(absl::GetFlag(FLAGS_warmup_steps));
  s.set_repeats(absl::GetFlag(FLAGS_repeats));
  s.set_seed(absl::GetFlag(FLAGS_seed));
  s.set_cpu_kernels(CpuKernels<float>().name);
  s.set_device(absl::GetFlag(FLAGS_device));
  s.set_precision(absl::GetFlag(FLAGS_precision));
  return s;
}

// --space names a space, the size flags given are its own, and every size
// and count flag is in its range; or an error that names the flag.
absl::Status CheckFlags() {
  const std::string space = absl::GetFlag(FLAGS_space);
  const std::vector<std::string> spaces = StepSpaces();
  if (std::count(spaces.begin(), spaces.end(), space) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("flag --space: no space '", space,
                                                   "'; spaces: ", absl::StrJoin(spaces, ", ")));
  }
  std::vector<std::string> own;
  for (const SizeFlag& size : kSizeFlags) {
    if (size.space == space) own.push_back(absl::StrCat("--", size.name));
  }
  std::vector<std::pair<const char*, int64_t>> at_least_one;
  for (const SizeFlag& size : kSizeFlags) {
    const std::optional<int64_t> value = absl::GetFlag(*size.flag);
    if (size.space == space) {
      at_least_one.emplace_back(size.name, value.value_or(size.default_value));
    } else if (value.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "flag --", size.name, ": sizes the ", size.space,
          " supernet and does not apply to --space=", space, ", whose size flags are ",
          absl::StrJoin(own, ", ")));
    }
  }
  at_least_one.insert(at_least_one.end(), {
      {"batch_size", absl::GetFlag(FLAGS_batch_size)},
      {"image_size", absl::GetFlag(FLAGS_image_size)},
      {"threads", absl::GetFlag(FLAGS_threads)},
      {"steps", absl::GetFlag(FLAGS_steps)},
      {"repeats", absl::GetFlag(FLAGS_repeats)},
  });
  for (const auto& [flag, value] : at_least_one) {
    if (value < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", flag, ": must be at least 1, got ", value));
    }
  }
  if (const std::string precision = absl::GetFlag(FLAGS_precision);
      precision != "float32" && precision != "bfloat16") {
    return absl::InvalidArgumentError(absl::StrCat(
        "flag --precision: \"", precision, "\" is neither float32 nor bfloat16"));
  }
  if (const int32_t warmup = absl::GetFlag(FLAGS_warmup_steps); warmup < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("flag --warmup_steps: must be at least 0, got ", warmup));
  }
  return absl::OkStatus();
}

// --device names a device of this host that runs every configuration in
// `names`: the checks and messages of a search spec's runtime.device.
absl::Status CheckDevice(const std::vector<std::string>& names) {
  SearchSpec spec;
  SpecOrigins origins;
  spec.mutable_runtime()->set_device(absl::GetFlag(FLAGS_device));
  origins.Set("runtime.device", "flag --device");
  for (const std::string& name : names) {
    MDENAS_ASSIGN_OR_RETURN(const StepConfiguration c, FindStepConfiguration(name));
    spec.mutable_runtime()->set_kernels(c.kernels == Kernels::kFast ? RuntimeSpec::FAST
                                                                    : RuntimeSpec::ATEN);
    origins.Set("runtime.kernels", absl::StrCat("flag --configurations (", name, ")"));
    MDENAS_RETURN_IF_ERROR(ValidateSpec(spec, origins));
  }
  const absl::Status available = CheckDeviceAvailable(spec.runtime());
  if (available.ok()) return available;
  return absl::Status(available.code(), absl::StrCat("flag --device: ", available.message()));
}

std::string Json(const google::protobuf::Message& message, bool pretty) {
  return ProtoJson(message, pretty).value_or("");
}

// The child's side: one run, its measurements as one line of JSON.
absl::Status RunOne(const std::string& name) {
  MDENAS_ASSIGN_OR_RETURN(const StepConfiguration configuration, FindStepConfiguration(name));
  const SearchStepSettings settings = SettingsFromFlags();
  StepRun run;
  try {
    MDENAS_ASSIGN_OR_RETURN(run, RunStepConfiguration(configuration, settings));
  } catch (const c10::Error& e) {
    // A network these flags cannot build (an image too small for its
    // reduction cells): libtorch's message, without its stack trace.
    return absl::InvalidArgumentError(
        absl::StrCat("configuration ", name, ": ", e.what_without_backtrace()));
  }
  SearchStepConfiguration result;
  for (double seconds : run.step_seconds) result.add_step_ms(1000 * seconds);
  result.set_macs_per_step(run.macs / std::max(1, settings.steps()));
  result.set_peak_tensor_bytes(run.peak_tensor_bytes);
  std::cout << Json(result, false) << "\n";
  return absl::OkStatus();
}

// Runs `binary` with `args` (args[0] its name); returns what it printed and
// its peak RSS.
absl::StatusOr<std::pair<std::string, int64_t>> RunChild(const std::string& binary,
                                                        std::vector<std::string> args) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return absl::InternalError("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid;
  const int error = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (error != 0) {
    close(pipe_fds[0]);
    return absl::InternalError(absl::StrCat("cannot start ", binary, ": error ", error));
  }
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof(buffer))) > 0;) output.append(buffer, n);
  close(pipe_fds[0]);
  int status = 0;
  struct rusage usage;
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("the run '", args.back(), "' of ", args[0], " failed"));
  }
  return std::make_pair(output, static_cast<int64_t>(usage.ru_maxrss) * 1024);  // KiB.
}

// The configuration `name` of `b` that ran: none where it did not apply to
// the space.
const SearchStepConfiguration* Find(const SearchStepBenchmark& b, const std::string& name) {
  for (const SearchStepConfiguration& c : b.configurations()) {
    if (c.name() == name && !c.has_not_applicable()) return &c;
  }
  return nullptr;
}

void ComputeRatios(SearchStepBenchmark* b) {
  SearchStepRatios* ratios = b->mutable_ratios();
  const auto* nchw = Find(*b, "aten_nchw");
  const auto* channels_last = Find(*b, "aten_channels_last");
  const auto* fast = Find(*b, "fast");
  if (fast && nchw) {
    ratios->set_fast_over_aten_nchw(fast->images_per_second() / nchw->images_per_second());
  }
  if (fast && nchw && channels_last) {
    const auto* best = nchw->images_per_second() >= channels_last->images_per_second()
                           ? nchw
                           : channels_last;
    ratios->set_best_aten(best->name());
    ratios->set_fast_over_best_aten(fast->images_per_second() / best->images_per_second());
  }
  if (const auto* standalone = Find(*b, "standalone_fast"); fast && standalone) {
    ratios->set_search_memory_over_standalone(
        static_cast<double>(fast->peak_tensor_bytes()) / standalone->peak_tensor_bytes());
  }
  if (const auto* mixed = Find(*b, "mixed_fast"); fast && mixed) {
    ratios->set_search_memory_over_mixed(static_cast<double>(fast->peak_tensor_bytes()) /
                                         mixed->peak_tensor_bytes());
  }
}

// One run of a configuration, by this build or by the --versus one.
struct Run {
  std::string name;
  bool versus = false;
};

// The --versus entries: this build's run medians paired with the other
// build's, round by round.
void AddVersus(const std::string& binary, const std::map<std::string, std::vector<double>>& ours,
               const std::map<std::string, std::vector<double>>& theirs,
               const std::map<std::string, std::vector<double>>& their_steps,
               SearchStepBenchmark* benchmark) {
  for (const char* timed : kTimedConfigurations) {
    const auto it = theirs.find(timed);
    if (it == theirs.end()) continue;
    SearchStepVersus* versus = benchmark->add_versus();
    versus->set_configuration(timed);
    versus->set_binary(binary);
    versus->set_ms_per_step(Median(their_steps.at(timed)));
    std::vector<double> ratios;
    for (size_t i = 0; i < it->second.size(); ++i) {
      ratios.push_back(ours.at(timed)[i] / it->second[i]);
      versus->add_ms_ratio(ratios.back());
    }
    versus->set_median_ms_ratio(Median(ratios));
  }
}

absl::Status RunAll(const std::string& argv0) {
  SearchStepBenchmark benchmark;
  *benchmark.mutable_settings() = SettingsFromFlags();
  const SearchStepSettings& settings = benchmark.settings();
  const std::vector<std::string> requested =
      absl::StrSplit(absl::GetFlag(FLAGS_configurations), ',', absl::SkipEmpty());
  // Those that apply to the space's supernet run; the others are listed,
  // with why they did not.
  std::vector<std::string> names;
  std::map<std::string, std::string> not_applicable;
  for (const std::string& name : requested) {
    MDENAS_ASSIGN_OR_RETURN(const StepConfiguration c, FindStepConfiguration(name));
    if (std::string why = NotApplicable(c, settings); !why.empty()) {
      std::cerr << "search_step: " << name << " does not apply: " << why << "\n";
      not_applicable[name] = std::move(why);
    } else {
      names.push_back(name);
    }
  }
  if (names.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "flag --configurations: none of ", absl::GetFlag(FLAGS_configurations),
        " applies to --space=", settings.space(), " --precision=", settings.precision()));
  }
  const std::string versus =
      absl::GetFlag(FLAGS_versus).empty() ? "" : UserPath(absl::GetFlag(FLAGS_versus));
  if (!versus.empty() && access(versus.c_str(), X_OK) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("flag --versus: ", versus, " is not an executable file"));
  }
  // The runs in order: the timed configurations in turn, `repeats` times,
  // each beside the --versus build's run of it (before it in odd rounds);
  // then the others once.
  std::vector<Run> runs;
  for (int r = 0; r < settings.repeats(); ++r) {
    for (const char* timed : kTimedConfigurations) {
      if (!std::count(names.begin(), names.end(), timed)) continue;
      if (versus.empty()) {
        runs.push_back({timed});
        continue;
      }
      const bool theirs_first = r % 2 == 1;
      runs.push_back({timed, theirs_first});
      runs.push_back({timed, !theirs_first});
    }
  }
  for (const std::string& name : names) {
    MDENAS_RETURN_IF_ERROR(FindStepConfiguration(name).status());
    if (std::count(std::begin(kTimedConfigurations), std::end(kTimedConfigurations), name) ==
        0) {
      runs.push_back({name});
    }
  }
  MDENAS_RETURN_IF_ERROR(CheckDevice(names));
  if (const c10::Device device(settings.device()); device.is_cuda()) {
    benchmark.mutable_machine()->set_accelerator(
        GpuDescription(device.has_index() ? device.index() : 0));
  }
  benchmark.mutable_machine()->set_cpus(static_cast<int>(std::thread::hardware_concurrency()));
  benchmark.mutable_machine()->set_processor(ThisProcessor());
  benchmark.mutable_machine()->set_load_average_before(LoadAverage());
  for (const std::string& name : requested) {
    MDENAS_ASSIGN_OR_RETURN(const StepConfiguration c, FindStepConfiguration(name));
    SearchStepConfiguration* result = benchmark.add_configurations();
    result->set_name(name);
    if (const auto it = not_applicable.find(name); it != not_applicable.end()) {
      result->set_not_applicable(it->second);
    }
    result->set_kernels(KernelsName(c.kernels));
    result->set_memory_format(c.channels_last ? "channels_last" : "nchw");
    result->set_network(c.network == StepNetwork::kSinglePath   ? "single_path"
                        : c.network == StepNetwork::kStandalone ? "standalone"
                                                                : "mixed");
  }
  // Per timed configuration: each run's median step time, this build's and
  // the --versus build's, and all of the latter's steps.
  std::map<std::string, std::vector<double>> our_runs, their_runs, their_steps;
  for (const Run& r : runs) {
    const std::string& name = r.name;
    std::cerr << "search_step: running " << name << (r.versus ? " of " + versus : "") << "\n";
    std::vector<std::string> args = {r.versus ? versus : argv0};
    // DARTS, the default, without --space, which builds from before it
    // do not know.
    if (settings.space() != "darts") args.push_back(absl::StrCat("--space=", settings.space()));
    for (const SizeFlag& size : kSizeFlags) {
      if (size.space == settings.space()) {
        args.push_back(absl::StrCat("--", size.name, "=", (settings.*size.get)()));
      }
    }
    for (const char* flag : {"batch_size", "image_size", "threads", "steps", "warmup_steps",
                             "seed", "device"}) {
      const absl::CommandLineFlag* f = absl::FindCommandLineFlag(flag);
      args.push_back(absl::StrCat("--", flag, "=", f->CurrentValue()));
    }
    args.push_back(absl::StrCat("--run_configuration=", name));
    MDENAS_ASSIGN_OR_RETURN(const auto output,
                            RunChild(r.versus ? versus : "/proc/self/exe", args));
    SearchStepConfiguration run;
    if (!google::protobuf::util::JsonStringToMessage(output.first, &run).ok()) {
      return absl::InternalError(absl::StrCat("unreadable output of ", name, ": ", output.first));
    }
    const std::vector<double> steps(run.step_ms().begin(), run.step_ms().end());
    if (r.versus) {
      their_runs[name].push_back(Median(steps));
      their_steps[name].insert(their_steps[name].end(), steps.begin(), steps.end());
      continue;
    }
    our_runs[name].push_back(Median(steps));
    for (SearchStepConfiguration& result : *benchmark.mutable_configurations()) {
      if (result.name() != name) continue;
      result.mutable_step_ms()->MergeFrom(run.step_ms());
      result.set_runs(result.runs() + 1);
      result.set_macs_per_step(run.macs_per_step());
      result.set_peak_tensor_bytes(std::max(result.peak_tensor_bytes(), run.peak_tensor_bytes()));
      result.set_peak_rss_bytes(std::max(result.peak_rss_bytes(), output.second));
    }
  }
  benchmark.mutable_machine()->set_load_average_after(LoadAverage());
  for (SearchStepConfiguration& c : *benchmark.mutable_configurations()) {
    if (c.has_not_applicable()) continue;
    const std::vector<double> ms(c.step_ms().begin(), c.step_ms().end());
    c.set_ms_per_step(Median(ms));
    const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / ms.size();
    c.set_ms_per_step_mean(mean);
    c.set_images_per_second(settings.batch_size() * 1000.0 / c.ms_per_step());
    c.set_gflops(6.0 * c.macs_per_step() / (mean / 1000.0) / 1e9);
  }
  ComputeRatios(&benchmark);
  AddVersus(versus, our_runs, their_runs, their_steps, &benchmark);
  benchmark.set_notes(absl::StrCat(
      "Each run is a child process: peak_rss_bytes is its ru_maxrss (libtorch's code and "
      "runtime included); peak_tensor_bytes is CpuAllocationTracker's peak of libtorch CPU "
      "tensor bytes from before the network is built to the last step, on the step's thread "
      "(the memory ratios use it). Step times are wall-clock; ms_per_step is the median over ",
      settings.repeats(), " runs of ", settings.steps(),
      " steps for the timed configurations, taken in turn."));
  const std::string json = Json(benchmark, true);
  std::cout << json;
  if (const std::string out = absl::GetFlag(FLAGS_out); !out.empty()) {
    MDENAS_RETURN_IF_ERROR(WriteFileAtomically(UserPath(out), json));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The search's training step on aten and fast kernels side by side, "
      "as JSON (benchmarks/search_step.proto).");
  mdenas::ParseCommandLine(argc, argv);
  const std::string one = absl::GetFlag(FLAGS_run_configuration);
  absl::Status status = mdenas::ReuseFreedHeapMemory();
  if (status.ok()) status = mdenas::CheckFlags();
  if (status.ok()) status = one.empty() ? mdenas::RunAll(argv[0]) : mdenas::RunOne(one);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
