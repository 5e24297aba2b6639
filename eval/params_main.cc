// //eval:params: the size of an evaluation network built from a genotype:
// parameters (without the auxiliary head, the DARTS convention, unless
// --auxiliary) and multiply-accumulates per image.
//
//   bazel run //eval:params -- --genotype=MDENAS --layers=20 --init_channels=36
//   bazel run //eval:params -- --genotype=MDENAS --dataset=imagenet --pool_bn

#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/space/darts/eval_network.h"
#include "mdenas/space/darts/genotype.h"
#include "mdenas/nn/layers.h"

ABSL_FLAG(std::string, genotype, "MDENAS",
          "A built-in genotype (DARTS_V1, DARTS_V2, MDENAS), the DARTS text "
          "form, a file holding it, or a search run directory.");
ABSL_FLAG(std::string, dataset, "cifar10",
          "cifar10 (32x32, 10 classes, CIFAR stem) or imagenet (224x224, "
          "1000 classes, the two-stage stem).");
ABSL_FLAG(int, layers, 0, "Cells; default 20 (cifar10) or 14 (imagenet).");
ABSL_FLAG(int, init_channels, 0,
          "Channels of the first cell; default 36 (cifar10) or 48 (imagenet).");
ABSL_FLAG(bool, auxiliary, false,
          "Build the auxiliary head and include it in the parameter count.");
ABSL_FLAG(bool, pool_bn, false,
          "BatchNorm after pooling (pt.darts, the MdeNAS repository); the "
          "default follows DARTS.");

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

int Main() {
  const std::string dataset = absl::GetFlag(FLAGS_dataset);
  if (dataset != "cifar10" && dataset != "imagenet") {
    std::cerr << "error: flag --dataset: '" << dataset
              << "' is neither cifar10 nor imagenet\n";
    return 2;
  }
  const bool imagenet = dataset == "imagenet";
  const int layers = absl::GetFlag(FLAGS_layers) > 0
                         ? absl::GetFlag(FLAGS_layers)
                         : (imagenet ? 14 : 20);
  const int channels = absl::GetFlag(FLAGS_init_channels) > 0
                           ? absl::GetFlag(FLAGS_init_channels)
                           : (imagenet ? 48 : 36);
  if (absl::GetFlag(FLAGS_layers) < 0 || absl::GetFlag(FLAGS_init_channels) < 0 ||
      channels % 2 != 0) {
    std::cerr << "error: flags --layers and --init_channels must be positive, "
                 "and --init_channels even\n";
    return 2;
  }
  const std::string name = absl::GetFlag(FLAGS_genotype);
  absl::StatusOr<Genotype> genotype =
      LoadGenotype(IsGenotypePath(name) ? UserPath(name) : name);
  if (!genotype.ok()) {
    std::cerr << "error: flag --genotype: " << genotype.status().message()
              << "\n";
    return 2;
  }
  const int64_t image_size = imagenet ? 224 : 32;
  EvalNetwork network(*genotype,
                      EvalNetworkOptions()
                          .stem(imagenet ? EvalStem::kImageNet : EvalStem::kCifar)
                          .num_classes(imagenet ? 1000 : 10)
                          .layers(layers)
                          .init_channels(channels)
                          .auxiliary(absl::GetFlag(FLAGS_auxiliary))
                          .pool_bn(absl::GetFlag(FLAGS_pool_bn)));
  const bool auxiliary = absl::GetFlag(FLAGS_auxiliary);
  const int64_t parameters = CountParameters(*network, auxiliary);
  const int64_t macs = CountMacs(*network, image_size, image_size);
  std::cout << absl::StrFormat(
      "genotype    %s\n"
      "network     %s: %d cells, %d channels, %dx%d input, BN after pooling: "
      "%s\n"
      "parameters  %s (%.2fM, %s)\n"
      "MACs        %s per image (%.0fM)\n",
      name, imagenet ? "ImageNet transfer" : "CIFAR", layers, channels,
      image_size, image_size, absl::GetFlag(FLAGS_pool_bn) ? "yes" : "no",
      WithCommas(parameters), parameters / 1e6,
      auxiliary ? "with the auxiliary head"
                : "without the auxiliary head, as DARTS counts",
      WithCommas(macs), macs / 1e6);
  return 0;
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Parameters and multiply-accumulates of a genotype's evaluation "
      "network.");
  mdenas::ParseCommandLine(argc, argv);
  return mdenas::Main();
}
