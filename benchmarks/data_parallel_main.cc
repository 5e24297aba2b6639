// //benchmarks:data_parallel: the same work on this machine's cores as one
// process with every thread and as one process per core with one thread
// each, side by side, repeats interleaved:
//
//   bazel run //benchmarks:data_parallel -- [--epochs=3] [--repeats=3] [--out=FILE]
//
// - the default search (benchmarks/specs/cpu_default.textproto, shortened
//   to --epochs) end to end, through //mdenas:search: --threads=<cores>
//   against --processes=<cores>;
// - the search's training step of the paper-scale supernet (8 cells x 16
//   channels, global batch --step_batch_size, fast kernels; the step of
//   search_step_runner.h) in one process, and in <cores> processes of this
//   binary each training its shard, whose gradients are summed over c10d
//   (Gloo on loopback): the time of that sum per step is the all-reduce
//   figure;
// - from the measured gradient bytes, a model on paper of the paper-scale
//   search on 8 GPUs, its assumptions named.
//
// Prints JSON (benchmarks/data_parallel.proto). Nothing else should run on
// the machine meanwhile.

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "benchmarks/data_parallel.pb.h"
#include "benchmarks/measurement.h"
#include "benchmarks/processor.h"
#include "benchmarks/search_step_runner.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "mdenas/base/file.h"
#include "mdenas/base/json.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/distributed/launcher.h"
#include "mdenas/distributed/process_group.h"
#include "mdenas/distributed/world_config.h"
#include "mdenas/distributed/world_replicas.h"
#include "mdenas/proto/run_result.pb.h"

ABSL_FLAG(int, epochs, 3, "Epochs of each search run.");
ABSL_FLAG(int, repeats, 3, "Runs of each layout, interleaved.");
ABSL_FLAG(int, steps, 10, "Timed steps of each step run (after 2 untimed).");
ABSL_FLAG(int, step_batch_size, 64, "The step runs' global batch.");
ABSL_FLAG(std::string, out, "", "Also writes the JSON to this file.");
ABSL_FLAG(std::string, worker_out, "",
          "Internal: a step-run rank's result file, written by rank 0.");

namespace mdenas {
namespace {

// The combiner of a step run, timed.
class TimedCombiner final : public GradientCombiner {
 public:
  explicit TimedCombiner(GradientCombiner* inner) : inner_(inner) {}
  absl::Status Combine(const std::vector<torch::Tensor>& parameters) override {
    const absl::Time start = absl::Now();
    const absl::Status status = inner_->Combine(parameters);
    seconds_.push_back(absl::ToDoubleSeconds(absl::Now() - start));
    return status;
  }
  const std::vector<double>& seconds() const { return seconds_; }

 private:
  GradientCombiner* inner_;
  std::vector<double> seconds_;
};

SearchStepSettings StepSettings(int processes) {
  SearchStepSettings settings;
  settings.set_space("darts");
  settings.set_layers(8);
  settings.set_init_channels(16);
  settings.set_batch_size(absl::GetFlag(FLAGS_step_batch_size) / processes);
  settings.set_image_size(32);
  settings.set_threads(static_cast<int>(std::thread::hardware_concurrency()) / processes);
  settings.set_steps(absl::GetFlag(FLAGS_steps));
  settings.set_warmup_steps(2);
  settings.set_seed(1);
  return settings;
}

absl::StatusOr<StepRun> RunStep(const SearchStepSettings& settings, GradientCombiner* combiner) {
  MDENAS_ASSIGN_OR_RETURN(const StepConfiguration fast, FindStepConfiguration("fast"));
  return RunStepConfiguration(fast, settings, combiner);
}

// One rank of a step run (this binary, started by LaunchLocalRanks): its
// shard of every step, gradients summed; rank 0 writes its figures as a
// DataParallelBenchmark in text form.
absl::Status RunStepRank(const WorldConfig& config) {
  MDENAS_ASSIGN_OR_RETURN(std::unique_ptr<World> world,
                          World::Join(config, absl::Minutes(2), "data_parallel benchmark"));
  WorldReplicas replicas(world.get());
  TimedCombiner timed(&replicas);
  MDENAS_ASSIGN_OR_RETURN(const StepRun run, RunStep(StepSettings(world->world_size()), &timed));
  if (world->rank() != 0) return absl::OkStatus();
  DataParallelBenchmark figures;
  DataParallelLayout* step = figures.add_step();
  step->add_images_per_second(absl::GetFlag(FLAGS_step_batch_size) / Median(run.step_seconds));
  GradientAllReduce* all_reduce = figures.mutable_all_reduce();
  all_reduce->set_gradients(replicas.last().gradients);
  all_reduce->set_values(replicas.last().values);
  all_reduce->set_buckets(replicas.last().buckets);
  // The timed steps' sums: the last steps() of them.
  const std::vector<double>& seconds = timed.seconds();
  for (size_t i = seconds.size() - run.step_seconds.size(); i < seconds.size(); ++i) {
    all_reduce->add_milliseconds(1000 * seconds[i]);
  }
  all_reduce->set_fraction_of_step(
      Median(std::vector<double>(seconds.end() - run.step_seconds.size(), seconds.end())) /
      Median(run.step_seconds));
  std::string text;
  google::protobuf::TextFormat::PrintToString(figures, &text);
  return WriteFileAtomically(absl::GetFlag(FLAGS_worker_out), text);
}

// A search of the default spec shortened to --epochs: its training
// images/s and seconds per epoch.
absl::StatusOr<std::pair<double, double>> RunSearch(const std::string& search,
                                                    const std::string& out,
                                                    const std::string& layout_flag) {
  const ProcessResult result =
      RunProcess({search, "--out=" + out, absl::StrCat("--epochs=", absl::GetFlag(FLAGS_epochs)),
                  layout_flag});
  if (!result.exited || result.exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("the search ", layout_flag, " failed:\n", result.output));
  }
  MDENAS_ASSIGN_OR_RETURN(const std::string json, ReadFile(JoinPath(out, "result.json")));
  RunResult run;
  if (!google::protobuf::util::JsonStringToMessage(json, &run).ok()) {
    return absl::DataLossError(absl::StrCat(out, "/result.json: not a RunResult"));
  }
  return std::make_pair(run.images_per_second(), run.wall_seconds() / run.epochs_size());
}

void Finish(DataParallelLayout* layout) {
  layout->set_images_per_second_median(
      Median({layout->images_per_second().begin(), layout->images_per_second().end()}));
  layout->set_seconds_per_epoch_median(
      Median({layout->seconds_per_epoch().begin(), layout->seconds_per_epoch().end()}));
}

// The paper-scale search on 8 GPUs, on paper.
std::vector<std::string> ScalingModel(const GradientAllReduce& all_reduce) {
  const double bytes = static_cast<double>(all_reduce.bytes());
  const int gpus = 8;
  // Assumptions (none of them measured here: there is no GPU).
  const double step_seconds_one_gpu = 0.1;    // batch 512 on one H100
  const double bus_bytes_per_second = 100e9;  // NCCL ring over NVLink, MB-size messages
  const double latency_seconds = 10e-6;       // per ring hop
  const double ring =
      2.0 * (gpus - 1) / gpus * bytes / bus_bytes_per_second + 2.0 * (gpus - 1) * latency_seconds;
  const double step_eight = step_seconds_one_gpu / gpus + ring;
  const int steps_per_epoch = (25000 + 511) / 512;
  return {absl::StrFormat("measured: one step of the paper-scale supernet (8 cells x 16 channels, "
                          "a sampled path) sums %d gradients, %d values, %.2f MB",
                          all_reduce.gradients(), all_reduce.values(), bytes / 1e6),
          "assumed: the paper preset, 25,000 training images in batches of 512 (49 steps per "
          "epoch), 100 epochs, per-epoch sampling (every GPU trains the same path)",
          absl::StrFormat("assumed: one H100 trains a step of 512 in %.2f s (the GPU issue's goal "
                          "of 10 minutes per search, validation included, allows about 0.12 s)",
                          step_seconds_one_gpu),
          "assumed: 8 GPUs each training 64 images take 1/8 of that (perfect strong scaling of the "
          "compute; in practice a batch of 64 keeps an H100 busy less well, so this is optimistic)",
          absl::StrFormat("assumed: NCCL ring all-reduce, 2(N-1)/N x bytes / %.0f GB/s bus "
                          "bandwidth + 2(N-1) x %.0f us latency",
                          bus_bytes_per_second / 1e9, latency_seconds * 1e6),
          absl::StrFormat("then: all-reduce %.3f ms per step, a step %.2f ms on 8 GPUs against "
                          "%.1f ms on 1: speed-up %.2fx, the all-reduce %.1f%% of the step",
                          1000 * ring, 1000 * step_eight, 1000 * step_seconds_one_gpu,
                          step_seconds_one_gpu / step_eight, 100 * ring / step_eight),
          absl::StrFormat("then: the training steps of the 100-epoch search take %.1f minutes on 8 "
                          "GPUs against %.1f on 1 (validation, sharded the same way, scales alike; "
                          "rank 0's checkpoint writing does not)",
                          100 * steps_per_epoch * step_eight / 60,
                          100 * steps_per_epoch * step_seconds_one_gpu / 60),
          "what would break it: the per-GPU batch of 64 underusing the GPU, the CUDA-graph "
          "capture of a step (issue 32) making the compute so short that the all-reduce's latency "
          "dominates; gradient bytes are those of one path, so they do not grow with the supernet"};
}

absl::Status Main(const char* argv0) {
  MDENAS_ASSIGN_OR_RETURN(const WorldConfig config, WorldConfigFromEnvironment());
  if (config.world_size > 1) return RunStepRank(config);

  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  MDENAS_ASSIGN_OR_RETURN(const std::string search, RunfilePath(argv0, "mdenas/search"));
  char scratch_template[] = "/tmp/data_parallel_benchmark.XXXXXX";
  if (::mkdtemp(scratch_template) == nullptr) {
    return absl::InternalError("cannot make a temporary folder in /tmp");
  }
  const std::string scratch = scratch_template;
  DataParallelBenchmark benchmark;
  auto& settings = *benchmark.mutable_settings();
  settings["search_spec"] = "benchmarks/specs/cpu_default.textproto";
  settings["epochs"] = absl::StrCat(absl::GetFlag(FLAGS_epochs));
  settings["repeats"] = absl::StrCat(absl::GetFlag(FLAGS_repeats));
  settings["step_supernet"] = "darts, 8 cells x 16 channels, 32 px, fast kernels";
  settings["step_batch_size"] = absl::StrCat(absl::GetFlag(FLAGS_step_batch_size));
  settings["steps"] = absl::StrCat(absl::GetFlag(FLAGS_steps), " timed after 2");
  settings["transport"] = "Gloo over loopback (127.0.0.1)";
  auto& machine = *benchmark.mutable_machine();
  machine["cores"] = absl::StrCat(cores);
  machine["processor"] = ThisProcessor();
  machine["load_average_before"] = absl::StrFormat("%.2f", LoadAverage());

  DataParallelLayout* one_search = benchmark.add_search();
  DataParallelLayout* many_search = benchmark.add_search();
  DataParallelLayout* one_step = benchmark.add_step();
  DataParallelLayout* many_step = benchmark.add_step();
  for (DataParallelLayout* one : {one_search, one_step}) {
    one->set_name(absl::StrCat("1 process x ", cores, " threads"));
    one->set_processes(1);
    one->set_threads_per_process(cores);
  }
  for (DataParallelLayout* many : {many_search, many_step}) {
    many->set_name(absl::StrCat(cores, " processes x 1 thread"));
    many->set_processes(cores);
    many->set_threads_per_process(1);
  }
  GradientAllReduce* all_reduce = benchmark.mutable_all_reduce();
  all_reduce->set_processes(cores);
  std::vector<double> fractions;
  const std::string worker_out = JoinPath(scratch, "step_rank0.textproto");
  for (int r = 0; r < absl::GetFlag(FLAGS_repeats); ++r) {
    std::cerr << "repeat " << r + 1 << " of " << absl::GetFlag(FLAGS_repeats) << "\n";
    MDENAS_ASSIGN_OR_RETURN(const StepRun single, RunStep(StepSettings(1), nullptr));
    one_step->add_images_per_second(absl::GetFlag(FLAGS_step_batch_size) /
                                    Median(single.step_seconds));
    MDENAS_ASSIGN_OR_RETURN(
        const int exit_code,
        LaunchLocalRanks(cores, "/proc/self/exe",
                         {argv0, "--worker_out=" + worker_out,
                          absl::StrCat("--steps=", absl::GetFlag(FLAGS_steps)),
                          absl::StrCat("--step_batch_size=", absl::GetFlag(FLAGS_step_batch_size))},
                         absl::Minutes(1)));
    if (exit_code != 0) {
      return absl::InternalError(absl::StrCat("a step rank failed (exit status ", exit_code, ")"));
    }
    MDENAS_ASSIGN_OR_RETURN(const std::string text, ReadFile(worker_out));
    DataParallelBenchmark rank0;
    if (!google::protobuf::TextFormat::ParseFromString(text, &rank0)) {
      return absl::DataLossError(absl::StrCat(worker_out, ": not a DataParallelBenchmark"));
    }
    many_step->add_images_per_second(rank0.step(0).images_per_second(0));
    all_reduce->set_gradients(rank0.all_reduce().gradients());
    all_reduce->set_values(rank0.all_reduce().values());
    all_reduce->set_bytes(rank0.all_reduce().values() * static_cast<int64_t>(sizeof(float)));
    all_reduce->set_buckets(rank0.all_reduce().buckets());
    for (double ms : rank0.all_reduce().milliseconds()) all_reduce->add_milliseconds(ms);
    fractions.push_back(rank0.all_reduce().fraction_of_step());

    for (DataParallelLayout* layout : {one_search, many_search}) {
      const std::string flag = layout->processes() == 1 ? absl::StrCat("--threads=", cores)
                                                        : absl::StrCat("--processes=", cores);
      MDENAS_ASSIGN_OR_RETURN(
          const auto figures,
          RunSearch(search, JoinPath(scratch, absl::StrCat("search_", layout->processes(), "_", r)),
                    flag));
      layout->add_images_per_second(figures.first);
      layout->add_seconds_per_epoch(figures.second);
    }
  }
  for (DataParallelLayout* layout : {one_search, many_search, one_step, many_step}) Finish(layout);
  all_reduce->set_milliseconds_median(
      Median({all_reduce->milliseconds().begin(), all_reduce->milliseconds().end()}));
  all_reduce->set_fraction_of_step(Median(fractions));
  for (const std::string& line : ScalingModel(*all_reduce)) benchmark.add_scaling_model(line);
  machine["load_average_after"] = absl::StrFormat("%.2f", LoadAverage());

  MDENAS_ASSIGN_OR_RETURN(const std::string json, ProtoJson(benchmark));
  std::cout << json << "\n";
  if (!absl::GetFlag(FLAGS_out).empty()) {
    MDENAS_RETURN_IF_ERROR(WriteFileAtomically(absl::GetFlag(FLAGS_out), json + "\n"));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const absl::Status status = mdenas::Main(argv[0]);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
