// //eval:latency_table: the mobile space's latency lookup tables on this
// machine (mdenas/space/mobile/latency_table.h), one per skeleton, thread
// count and batch size, and for the published networks (MdeNAS's and
// ProxylessNAS's) their latency predicted from the table beside their
// latency measured whole: the table's error.
//
//   bazel run //eval:latency_table -- --out=benchmarks/results/mobile_latency
//   bazel run //eval:latency_table -- --batch=8 --skeletons=gpu --device=cuda --out=/tmp/t
//
// Every time is the median of --repeats synchronised passes after --warmup
// untimed ones, in evaluation mode without gradients, on random images, on
// ATen's operators (as PyTorch runs the network).

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "eval/latency.h"
#include "eval/latency_table.pb.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/json.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/run/runtime.h"
#include "mdenas/space/mobile/latency_table.h"
#include "mdenas/space/mobile/mobile_architecture.h"
#include "mdenas/space/mobile/mobile_network.h"

ABSL_FLAG(std::string, skeletons, "gpu,cpu", "The skeletons to measure: gpu, cpu or both.");
ABSL_FLAG(std::string, threads, "1,0",
          "Intra-op thread counts to measure with (0: one per core); CPU only.");
ABSL_FLAG(std::string, batch, "1,8", "Batch sizes to measure (the authors timed 8).");
ABSL_FLAG(int32_t, image, 224, "Pixels per side of the images (ImageNet's 224).");
ABSL_FLAG(std::string, device, "cpu", "cpu, cuda or cuda:<index>.");
ABSL_FLAG(int32_t, warmup, 5, "Untimed passes before each time.");
ABSL_FLAG(int32_t, repeats, 20, "Timed passes; each time is their median.");
ABSL_FLAG(std::string, out, "", "Folder for the tables and latency_tables.json (required).");

namespace mdenas {
namespace {

absl::StatusOr<std::vector<int>> Counts(const std::string& flag, const std::string& text, int min) {
  std::vector<int> counts;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int count = 0;
    if (!absl::SimpleAtoi(part, &count) || count < min) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", flag, ": '", part, "' is not a count of at least ", min));
    }
    counts.push_back(count);
  }
  return counts;
}

absl::StatusOr<std::vector<MobileSkeletonName>> Skeletons() {
  std::vector<MobileSkeletonName> skeletons;
  for (absl::string_view name : absl::StrSplit(absl::GetFlag(FLAGS_skeletons), ',')) {
    if (name != "gpu" && name != "cpu") {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --skeletons: '", name, "' is neither gpu nor cpu"));
    }
    skeletons.push_back(name == "cpu" ? CPU : GPU);
  }
  return skeletons;
}

// The published networks of `skeleton`'s layout.
std::vector<std::string> NetworksOf(MobileSkeletonName skeleton) {
  std::vector<std::string> names;
  for (const std::string& name : MobileBuiltinNames()) {
    if (ParseMobileArchitecture(name, skeleton)->skeleton == skeleton) names.push_back(name);
  }
  return names;
}

absl::Status Main() {
  MDENAS_ASSIGN_OR_RETURN(const std::vector<MobileSkeletonName> skeletons, Skeletons());
  MDENAS_ASSIGN_OR_RETURN(const std::vector<int> batches,
                          Counts("batch", absl::GetFlag(FLAGS_batch), 1));
  MDENAS_ASSIGN_OR_RETURN(std::vector<int> threads,
                          Counts("threads", absl::GetFlag(FLAGS_threads), 0));
  RuntimeSpec runtime;
  runtime.set_device(absl::GetFlag(FLAGS_device));
  MDENAS_RETURN_IF_ERROR(CheckDeviceAvailable(runtime));
  // Threads are the CPU's to choose; a GPU runs at one setting.
  if (!torch::Device(runtime.device()).is_cpu()) threads = {0};
  const int warmup = absl::GetFlag(FLAGS_warmup);
  const int repeats = absl::GetFlag(FLAGS_repeats);
  if (warmup < 0 || repeats < 1) {
    return absl::InvalidArgumentError("flags --warmup and --repeats: at least 0 and 1");
  }
  if (absl::GetFlag(FLAGS_out).empty()) {
    return absl::InvalidArgumentError(
        "flag --out: say where the tables go, e.g. --out=benchmarks/results/mobile_latency");
  }
  const std::string out = UserPath(absl::GetFlag(FLAGS_out));
  MDENAS_RETURN_IF_ERROR(MakeDirectories(out));

  NetworkInputs inputs = ImageNetInputs();
  inputs.height = inputs.width = absl::GetFlag(FLAGS_image);
  // As PyTorch runs a deployed network.
  inputs.kernels = Kernels::kAten;
  LatencyTableReport report;
  report.set_protocol(absl::StrCat(warmup, " warm-up passes, then the median of ", repeats,
                                   " timed passes, each waiting for the device; evaluation "
                                   "mode, no gradients, random images"));
  const auto median_ms = [&](const std::function<void()>& pass) {
    return MedianMilliseconds(pass, warmup, repeats);
  };
  std::cout << "| skeleton | device | batch | network | predicted ms | measured ms | error |\n"
               "|---|---|---|---|---|---|---|\n";
  for (const int thread_count : threads) {
    runtime.set_threads(thread_count);
    MDENAS_ASSIGN_OR_RETURN(const Runtime here, SetUpRuntime(runtime));
    const torch::Device device = here.device;
    const std::string& device_name = here.description;
    for (const MobileSkeletonName skeleton : skeletons) {
      for (const int batch : batches) {
        MobileLatencyTable table =
            MeasureMobileLatencyTable(skeleton, inputs, batch, device, median_ms);
        table.device = device_name;
        table.protocol = report.protocol();
        const std::string file =
            absl::StrCat(SkeletonText(skeleton), "_",
                         device.is_cpu() ? absl::StrCat("cpu", at::get_num_threads(), "t") : "cuda",
                         "_batch", batch, ".csv");
        MDENAS_RETURN_IF_ERROR(
            WriteFileAtomically(JoinPath(out, file), FormatMobileLatencyTable(table)));
        LatencyTableConfiguration& configuration = *report.add_configurations();
        configuration.set_skeleton(SkeletonText(skeleton));
        configuration.set_device(device_name);
        configuration.set_batch(batch);
        configuration.set_image(table.image);
        configuration.set_table(file);
        configuration.set_fixed_ms(table.fixed_ms);
        double fastest = table.fixed_ms, slowest = table.fixed_ms;
        for (const std::vector<double>& slot : table.block_ms) {
          fastest += *std::min_element(slot.begin(), slot.end());
          slowest += *std::max_element(slot.begin(), slot.end());
        }
        configuration.set_fastest_predicted_ms(fastest);
        configuration.set_slowest_predicted_ms(slowest);
        for (const std::string& name : NetworksOf(skeleton)) {
          const MobileArchitecture architecture = *ParseMobileArchitecture(name, skeleton);
          std::vector<int> path;
          for (const MobileGene& gene : architecture.genes) {
            path.push_back(MobileChoiceIndex(gene));
          }
          MobileNetwork network(architecture, inputs, 0);
          network->to(device);
          const Latency measured = MeasureLatency(*network, batch, 3, table.image, table.image,
                                                  device, device_name, warmup, repeats);
          NetworkLatencyCheck& check = *configuration.add_networks();
          check.set_architecture(name);
          check.set_predicted_ms(table.Predict(path));
          check.set_measured_ms(measured.median_ms());
          check.set_error_percent(100 * (check.predicted_ms() - check.measured_ms()) /
                                  check.measured_ms());
          std::cout << absl::StrFormat("| %s | %s | %d | %s | %.2f | %.2f | %+.1f%% |\n",
                                       SkeletonText(skeleton), device_name, batch, name,
                                       check.predicted_ms(), check.measured_ms(),
                                       check.error_percent());
        }
      }
    }
  }
  MDENAS_ASSIGN_OR_RETURN(const std::string json, ProtoJson(report));
  const std::string json_path = JoinPath(out, "latency_tables.json");
  MDENAS_RETURN_IF_ERROR(WriteFileAtomically(json_path, json + "\n"));
  std::cout << "tables and " << json_path << "\n";
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Latency lookup tables of the mobile space, and the published networks' latency "
      "predicted from them beside their latency measured whole.");
  mdenas::ParseCommandLine(argc, argv);
  const absl::Status status = mdenas::Main();
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 2;
  }
  return 0;
}
