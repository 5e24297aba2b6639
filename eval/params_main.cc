// //eval:params: the size of an architecture's stand-alone network:
// parameters (without an auxiliary head, the DARTS convention, unless
// --auxiliary) and multiply-accumulates per image.
//
//   bazel run //eval:params -- --architecture=MDENAS
//   bazel run //eval:params -- --architecture=MDENAS --dataset=imagenet
//       --set=network.darts.layers=14,network.darts.init_channels=48
//   bazel run //eval:params -- --space=mobile --architecture=MDENAS_GPU

#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/nn/layers.h"
#include "mdenas/proto/eval_spec.pb.h"
#include "mdenas/space/load_architecture.h"
#include "mdenas/space/network_size.h"
#include "mdenas/space/spaces.h"
#include "mdenas/spec/spec_flags.h"
#include "mdenas/spec/spec_loader.h"
#include "mdenas/spec/spec_validation.h"

ABSL_FLAG(std::string, space, "darts", "The architecture's search space.");
ABSL_FLAG(std::string, architecture, "MDENAS",
          "A built-in architecture of the space (DARTS: DARTS_V1, DARTS_V2, MDENAS; "
          "mobile: MDENAS_GPU, MDENAS_CPU, PROXYLESS_GPU, PROXYLESS_CPU), its text form "
          "(NAS-Bench-201: '|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'; mobile: 'cpu [(5, 3), "
          "...]'), a file holding it, or a search run directory.");
ABSL_FLAG(std::string, dataset, "",
          "cifar10 (32x32, 10 classes) or imagenet (224x224, 1000 classes; DARTS "
          "builds NetworkImageNet's stem for it). Default: the space's own, as the "
          "paper's tables size it (imagenet for mobile, cifar10 for the others).");
ABSL_FLAG(bool, auxiliary, false,
          "Count the auxiliary head's parameters too, where the network has one.");
ABSL_FLAG(std::string, set, "",
          "Comma-separated field=value overrides of the network's settings, as "
          "//eval:train takes them: network.<space>.<field>, e.g. "
          "--set=network.darts.layers=14,network.darts.pool_bn=true");

namespace mdenas {
namespace {

// "3,786,742"
std::string WithCommas(int64_t value) {
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<size_t>(i), ",");
  }
  return digits;
}

// The network settings --space and --set give, in an EvalSpec as
// //eval:train reads them.
absl::StatusOr<EvalSpec> NetworkSettings() {
  EvalSpec spec;
  SpecOrigins origins;
  const absl::Status selected = SelectSpace(absl::GetFlag(FLAGS_space), spec.mutable_network());
  if (!selected.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("flag --space: ", selected.message()));
  }
  MDENAS_RETURN_IF_ERROR(ApplyFieldFlags({}, absl::GetFlag(FLAGS_set), &spec, &origins));
  MDENAS_RETURN_IF_ERROR(ValidateSpec(spec, origins));
  FillDefaults(&spec);
  return spec;
}

absl::Status Main() {
  MDENAS_ASSIGN_OR_RETURN(const EvalSpec spec, NetworkSettings());
  MDENAS_ASSIGN_OR_RETURN(const std::unique_ptr<SearchSpace> space,
                          SearchSpaceOf(spec.network()));
  std::string dataset = absl::GetFlag(FLAGS_dataset);
  if (dataset.empty()) {
    dataset = space->NativeDataset() == DataSpec::IMAGENET ? "imagenet" : "cifar10";
  }
  if (dataset != "cifar10" && dataset != "imagenet") {
    return absl::InvalidArgumentError(
        absl::StrCat("flag --dataset: '", dataset, "' is neither cifar10 nor imagenet"));
  }
  const bool imagenet = dataset == "imagenet";
  const std::string name = absl::GetFlag(FLAGS_architecture);
  absl::StatusOr<Architecture> architecture = LoadArchitecture(
      *space, IsArchitecturePath(*space, name) ? UserPath(name) : name);
  if (!architecture.ok()) {
    return absl::Status(architecture.status().code(),
                        absl::StrCat("flag --architecture: ", architecture.status().message()));
  }
  const NetworkInputs inputs = imagenet ? ImageNetInputs() : NetworkInputs();
  absl::StatusOr<std::shared_ptr<Network>> network =
      space->MakeNetwork(*architecture, spec.network(), inputs);
  if (!network.ok()) {
    return absl::Status(network.status().code(),
                        absl::StrCat("flag --set: ", network.status().message()));
  }
  const bool auxiliary = absl::GetFlag(FLAGS_auxiliary);
  const int64_t parameters = CountParameters(**network, auxiliary);
  const int64_t macs = NetworkMacs(**network, inputs);
  std::cout << absl::StrFormat(
      "architecture  %s\n"
      "network       %s space: %s, %dx%d input, %d classes\n"
      "parameters    %s (%.2fM, %s)\n"
      "MACs          %s per image (%.0fM)\n",
      name, space->name(), (*network)->Description(), inputs.height, inputs.width,
      inputs.classes, WithCommas(parameters), parameters / 1e6,
      auxiliary ? "with the auxiliary head" : "without an auxiliary head, as DARTS counts",
      WithCommas(macs), macs / 1e6);
  return absl::OkStatus();
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Parameters and multiply-accumulates of an architecture's stand-alone network.");
  mdenas::ParseCommandLine(argc, argv);
  const absl::Status status = mdenas::Main();
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return 2;
  }
  return 0;
}
