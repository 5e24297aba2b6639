#include "benchmarks/search_step_runner.h"

#include <torch/cuda.h>
#include <torch/torch.h>
#include <valgrind/callgrind.h>

#include <chrono>
#include <functional>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/cpu_allocation_tracker.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/nn/layers.h"
#include "mdenas/space/spaces.h"
#include "mdenas/training/autocast.h"
#include "mdenas/training/replicas.h"
#include "mdenas/training/step.h"

namespace mdenas {
namespace {

// A network with its training step.
struct Trainee {
  std::shared_ptr<Supernet> net;
  std::unique_ptr<TrainingStep> step;
};

void ToChannelsLast(torch::nn::Module& module) {
  for (torch::Tensor& p : module.parameters()) {
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

Trainee MakeTrainee(const SearchSpace& space, const NetworkInputs& inputs,
                    std::optional<std::vector<int>> only_path, bool channels_last,
                    const OptimizerSpec& optimizer, const torch::Device& device,
                    GradientCombiner* combiner) {
  Trainee t;
  t.net = space.MakeSupernet(inputs, std::move(only_path));
  t.net->to(device);
  if (channels_last) ToChannelsLast(*t.net);
  t.step = std::make_unique<TrainingStep>(optimizer, t.net->parameters(), combiner);
  return t;
}

// The supernet the settings name: DARTS cells, layers() x init_channels();
// NAS-Bench-201's, cells_per_stage() x channels(); or the mobile space's
// GPU skeleton at channel_percent() of its widths.
absl::StatusOr<SearchSpaceSpec> StepSpace(const SearchStepSettings& settings) {
  SearchSpaceSpec spec;
  const std::string space = settings.space().empty() ? "darts" : settings.space();
  if (space == "darts") {
    spec.mutable_darts()->set_layers(static_cast<int>(settings.layers()));
    spec.mutable_darts()->set_init_channels(static_cast<int>(settings.init_channels()));
  } else if (space == "nb201") {
    spec.mutable_nb201()->set_channels(static_cast<int>(settings.channels()));
    spec.mutable_nb201()->set_cells_per_stage(static_cast<int>(settings.cells_per_stage()));
  } else if (space == "mobile") {
    if (settings.channel_percent() > 100) {
      return absl::InvalidArgumentError(absl::StrCat(
          "channel_percent ", settings.channel_percent(), " is above 100: the skeleton's widths"));
    }
    spec.mutable_mobile()->set_channel_scale(settings.channel_percent() / 100.0);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "no space '", space, "' to step; spaces: ", absl::StrJoin(StepSpaces(), ", ")));
  }
  return spec;
}

// Times train(i) for i < steps, after an untimed prepare(i). Under valgrind
// --tool=callgrind --instr-atstart=no, the instructions of train() are all
// that is counted.
void RunTimedSteps(int steps, const std::function<void(int)>& prepare,
                   const std::function<void(int)>& train, StepRun* run) {
  for (int i = 0; i < steps; ++i) {
    prepare(i);
    MacCounter counter;
    const auto start = std::chrono::steady_clock::now();
    CALLGRIND_START_INSTRUMENTATION;
    train(i);
    CALLGRIND_STOP_INSTRUMENTATION;
    run->step_seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    run->macs += counter.total();
  }
}

}  // namespace

const std::vector<StepConfiguration>& StepConfigurations() {
  static const auto* const configurations = new std::vector<StepConfiguration>{
      {"aten_nchw", Kernels::kAten, false, StepNetwork::kSinglePath},
      {"aten_channels_last", Kernels::kAten, true, StepNetwork::kSinglePath},
      {"fast", Kernels::kFast, true, StepNetwork::kSinglePath},
      {"standalone_fast", Kernels::kFast, true, StepNetwork::kStandalone},
      {"mixed_fast", Kernels::kFast, true, StepNetwork::kMixed},
  };
  return *configurations;
}

absl::StatusOr<StepConfiguration> FindStepConfiguration(absl::string_view name) {
  for (const StepConfiguration& c : StepConfigurations()) {
    if (c.name == name) return c;
  }
  return absl::InvalidArgumentError(absl::StrCat("no configuration '", name, "'"));
}

std::vector<std::string> StepSpaces() { return {"darts", "nb201", "mobile"}; }

std::string NotApplicable(const StepConfiguration& configuration,
                          const SearchStepSettings& settings) {
  if (configuration.kernels != Kernels::kFast) return "";
  // NAS-Bench-201's operations run on ATen whatever the kernels asked for
  // (mdenas/space/nb201/operations.h): a fast configuration would time
  // aten under another name.
  if (settings.space() == "nb201") {
    return "the NAS-Bench-201 supernet runs on aten operators only: it has no fast kernels";
  }
  if (settings.precision() == "bfloat16") {
    return "bfloat16 autocast runs on aten operators: the fast kernels compute in float32";
  }
  return "";
}

absl::StatusOr<StepRun> RunStepConfiguration(const StepConfiguration& configuration,
                                             const SearchStepSettings& settings,
                                             GradientCombiner* combiner) {
  if (const std::string why = NotApplicable(configuration, settings); !why.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("configuration ", configuration.name, ": ", why));
  }
  MDENAS_ASSIGN_OR_RETURN(const SearchSpaceSpec space_spec, StepSpace(settings));
  MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<SearchSpace> space, MakeSearchSpace(space_spec));
  at::set_num_threads(settings.threads());
  torch::manual_seed(settings.seed());
  const torch::Device device(settings.device().empty() ? "cpu" : settings.device());
  NetworkInputs inputs;
  inputs.height = inputs.width = settings.image_size();
  inputs.kernels = configuration.kernels;
  const std::vector<Decision>& decisions = space->decisions();
  // Drawn on the CPU, so that every device gets the same values.
  torch::Tensor images =
      torch::randn({settings.batch_size(), 3, settings.image_size(), settings.image_size()})
          .to(device);
  if (configuration.channels_last) images = images.contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor labels = torch::randint(10, {settings.batch_size()}).to(device);
  // DARTS's architecture weights, fixed: the benchmark times the weight step.
  const torch::Tensor mixing =
      torch::softmax(torch::randn({static_cast<int64_t>(decisions.size()),
                                   static_cast<int64_t>(decisions[0].choices.size())}),
                     1)
          .to(device);
  std::mt19937_64 rng(settings.seed());
  const int total = settings.warmup_steps() + settings.steps();
  std::vector<std::vector<int>> paths(total, std::vector<int>(decisions.size()));
  for (auto& path : paths) {
    for (size_t d = 0; d < decisions.size(); ++d) {
      const int choices = static_cast<int>(decisions[d].choices.size());
      path[d] = std::uniform_int_distribution<int>(0, choices - 1)(rng);
    }
  }
  const OptimizerSpec optimizer;  // The search's defaults.
  SingleProcess single_process;
  if (combiner == nullptr) combiner = &single_process;

  StepRun run;
  CpuAllocationTracker tracker;
  Trainee trainee;
  if (configuration.network != StepNetwork::kStandalone) {
    trainee = MakeTrainee(*space, inputs, std::nullopt, configuration.channels_last, optimizer,
                          device, combiner);
  }
  // The stand-alone network of each step's path is built before the step.
  auto prepare = [&](int index) {
    if (configuration.network != StepNetwork::kStandalone) return;
    trainee = Trainee();  // The previous path's network goes first.
    trainee = MakeTrainee(*space, inputs, paths[index], configuration.channels_last, optimizer,
                          device, combiner);
  };
  absl::Status status;
  auto train = [&](int index) {
    trainee.step->ClearGradients();
    torch::Tensor loss;
    {
      AutocastScope autocast(device.type(), settings.precision() == "bfloat16");
      const torch::Tensor logits = configuration.network == StepNetwork::kMixed
                                       ? trainee.net->forward_mixed(images, mixing)
                                       : trainee.net->forward(images, paths[index]);
      loss = torch::nn::functional::cross_entropy(logits, labels);
    }
    // The first error (a process gone) is the run's.
    const absl::Status step = trainee.step->Apply(loss).status();
    if (status.ok()) status = step;
    // A GPU step ends when its kernels have run, not when they are queued.
    if (device.is_cuda()) torch::cuda::synchronize(device.index());
  };
  for (int i = 0; i < settings.warmup_steps(); ++i) {
    prepare(i);
    train(i);
  }
  const int first = settings.warmup_steps();
  RunTimedSteps(
      settings.steps(), [&](int i) { prepare(first + i); }, [&](int i) { train(first + i); }, &run);
  MDENAS_RETURN_IF_ERROR(status);
  run.peak_tensor_bytes = tracker.peak_bytes();
  return run;
}

}  // namespace mdenas
