// The DARTS cell space (MDENAS_SPEC.md §1) as a SearchSpace: a decision per
// edge of the normal cell, then one per edge of the reduction cell, each
// over the 8 DARTS operations; genotypes as architectures; DARTS's
// derivation rule; NetworkCIFAR / NetworkImageNet for retraining.

#ifndef MDENAS_SPACE_DARTS_DARTS_SPACE_H_
#define MDENAS_SPACE_DARTS_DARTS_SPACE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mdenas/space/darts/darts_spec.pb.h"
#include "mdenas/space/darts/genotype.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

class DartsSpace : public SearchSpace {
 public:
  explicit DartsSpace(const DartsSupernetSpec& spec);

  std::string name() const override { return "darts"; }
  std::string Description() const override;

  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::vector<std::string> DecisionColumns() const override;
  std::string ChoiceColumn() const override { return "operation"; }
  std::shared_ptr<Supernet> MakeSupernet(
      const NetworkInputs& inputs,
      std::optional<std::vector<int>> only_path) const override;
  Architecture Derive(
      absl::Span<const std::vector<double>> distributions) const override;
  // "n <normal cell> r <reduction cell>", a letter per edge (primitives.h).
  std::string PathText(absl::Span<const int> path) const override;
  std::string PathLegend() const override;

  absl::StatusOr<Architecture> ParseArchitecture(
      absl::string_view text) const override;
  std::vector<std::string> BuiltinArchitectures() const override;
  bool IsArchitectureText(absl::string_view text) const override;
  Architecture RandomArchitecture(std::mt19937_64* rng) const override;
  absl::StatusOr<std::string> ArchitectureDot(
      const Architecture& architecture) const override;
  absl::StatusOr<std::vector<int>> PathOf(
      const Architecture& architecture) const override;
  absl::StatusOr<std::shared_ptr<Network>> MakeNetwork(
      const Architecture& architecture, const NetworkSpec& spec,
      const NetworkInputs& inputs) const override;

 private:
  // The genotype of an architecture this space printed or parsed.
  absl::StatusOr<Genotype> GenotypeOf(const Architecture& architecture) const;

  DartsSupernetSpec spec_;
  std::vector<Decision> decisions_;
};

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_DARTS_SPACE_H_
