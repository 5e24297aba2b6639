// A network of the mobile space as plain data: its skeleton and a gene per
// searchable slot, (kernel, expansion) with kernel in {3, 5, 7} and
// expansion in {1, 3, 6}: 9 choices per slot. The text form names the
// skeleton and lists the genes as the authors' scripts do:
//
//   gpu [(7, 6), (5, 6), (7, 3), ...]
//
// Built in by name: the published MdeNAS genes (MDENAS_GPU, MDENAS_CPU:
// the authors' run_gpu_imagenet.sh and run_cpu_imagenet.sh) and
// ProxylessNAS's own networks, the skeleton files' genes (PROXYLESS_GPU,
// PROXYLESS_CPU).

#ifndef MDENAS_SPACE_MOBILE_MOBILE_ARCHITECTURE_H_
#define MDENAS_SPACE_MOBILE_MOBILE_ARCHITECTURE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mdenas/space/mobile/mobile_skeleton.h"

namespace mdenas {

struct MobileGene {
  int kernel = 3;
  int expansion = 1;

  bool operator==(const MobileGene& other) const {
    return kernel == other.kernel && expansion == other.expansion;
  }
};

inline constexpr int kMobileKernels[] = {3, 5, 7};
inline constexpr int kMobileExpansions[] = {1, 3, 6};
inline constexpr int kMobileChoices = 9;

// Choice c of a slot: kernel kMobileKernels[c / 3], expansion
// kMobileExpansions[c % 3]; named "k7_e6".
MobileGene MobileChoice(int choice);
int MobileChoiceIndex(const MobileGene& gene);
std::string MobileChoiceName(int choice);

struct MobileArchitecture {
  MobileSkeletonName skeleton = GPU;
  // One per slot of the skeleton, in order.
  std::vector<MobileGene> genes;
};

// "gpu [(7, 6), (5, 6), ...]"
std::string FormatMobileArchitecture(const MobileArchitecture& architecture);

// A built-in name or the text form; a gene list without a skeleton name is
// `skeleton`'s. The error names the fault and where it is: the character,
// the gene, the count of genes against the skeleton's slots.
absl::StatusOr<MobileArchitecture> ParseMobileArchitecture(absl::string_view text,
                                                           MobileSkeletonName skeleton);

// MDENAS_GPU, MDENAS_CPU, PROXYLESS_GPU, PROXYLESS_CPU.
std::vector<std::string> MobileBuiltinNames();

}  // namespace mdenas

#endif  // MDENAS_SPACE_MOBILE_MOBILE_ARCHITECTURE_H_
