// The mobile (ImageNet) space of the paper's Table 3 as a SearchSpace: a
// decision per searchable slot of the chosen skeleton (mobile_skeleton.h),
// each over 9 inverted-residual blocks (kernel 3, 5, 7 x expansion 1, 3,
// 6); gene lists as architectures (mobile_architecture.h); the most
// probable block of each slot as the derivation; the authors' network for
// retraining and for the sizes of Table 3.

#ifndef MDENAS_SPACE_MOBILE_MOBILE_SPACE_H_
#define MDENAS_SPACE_MOBILE_MOBILE_SPACE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mdenas/space/mobile/latency_table.h"
#include "mdenas/space/mobile/mobile_architecture.h"
#include "mdenas/space/mobile/mobile_spec.pb.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

class MobileSpace : public SearchSpace {
 public:
  // The space with the latency table `spec` names, read and checked to be
  // of its skeleton; errors name the file and line.
  static absl::StatusOr<std::unique_ptr<MobileSpace>> Create(const MobileSupernetSpec& spec);

  // Without a latency table, or with `latency`.
  explicit MobileSpace(const MobileSupernetSpec& spec,
                       std::optional<MobileLatencyTable> latency = std::nullopt);

  std::string name() const override { return "mobile"; }
  // "gpu skeleton, 14 slots x 9 blocks, channels x 0.25"
  std::string Description() const override;
  DataSpec::Dataset NativeDataset() const override { return DataSpec::IMAGENET; }

  const std::vector<Decision>& decisions() const override { return decisions_; }
  // "slot": 1 .. the skeleton's slots, in gene order.
  std::vector<std::string> DecisionColumns() const override { return {"slot"}; }
  std::string ChoiceColumn() const override { return "block"; }
  // Runs on ATen operators whatever inputs.kernels says.
  std::shared_ptr<Supernet> MakeSupernet(const NetworkInputs& inputs,
                                         std::optional<std::vector<int>> only_path) const override;
  Architecture Derive(absl::Span<const std::vector<double>> distributions) const override;
  // Kernel and expansion digits per slot: "76 56 73 ...".
  std::string PathText(absl::Span<const int> path) const override;
  std::string PathLegend() const override;

  absl::StatusOr<Architecture> ParseArchitecture(absl::string_view text) const override;
  std::vector<std::string> BuiltinArchitectures() const override { return MobileBuiltinNames(); }
  // A gene list ('[' or a skeleton name first) or a built-in name.
  bool IsArchitectureText(absl::string_view text) const override;
  Architecture RandomArchitecture(std::mt19937_64* rng) const override;
  // The chain of blocks, each edge a slot's block.
  absl::StatusOr<std::string> ArchitectureDot(const Architecture& architecture) const override;
  // An error for an architecture of the other skeleton.
  absl::StatusOr<std::vector<int>> PathOf(const Architecture& architecture) const override;
  // From the latency table (space.mobile.latency_table).
  absl::StatusOr<double> PredictLatencyMs(absl::Span<const int> path) const override;
  absl::StatusOr<std::shared_ptr<Network>> MakeNetwork(const Architecture& architecture,
                                                       const NetworkSpec& spec,
                                                       const NetworkInputs& inputs) const override;

 private:
  MobileSupernetSpec spec_;
  std::vector<Decision> decisions_;
  std::optional<MobileLatencyTable> latency_;
};

}  // namespace mdenas

#endif  // MDENAS_SPACE_MOBILE_MOBILE_SPACE_H_
