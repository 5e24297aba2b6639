// The NAS-Bench-201 cell space (paper/NB201.md) as a SearchSpace: a
// decision per edge of the one cell every cell shares, each over the 5
// operations; the benchmark's architecture strings as architectures; the
// most probable operation of each edge as the derivation (`none` allowed);
// TinyNetwork for retraining; the benchmark's table as the found
// architecture's known accuracies.

#ifndef MDENAS_SPACE_NB201_NB201_SPACE_H_
#define MDENAS_SPACE_NB201_NB201_SPACE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mdenas/space/nb201/cell.h"
#include "mdenas/space/nb201/nb201_spec.pb.h"
#include "mdenas/space/nb201/nb201_table.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

class Nb201Space : public SearchSpace {
 public:
  // The space with `spec`'s settings and the accuracy table it names
  // (spec.table(), or the shared data's where that is empty and one
  // exists), read whole; errors name the table's file, line and field.
  static absl::StatusOr<std::unique_ptr<Nb201Space>> Create(const Nb201SupernetSpec& spec);

  // Without a table, or with `table` read from `table_path`.
  explicit Nb201Space(const Nb201SupernetSpec& spec, std::optional<Nb201Table> table = std::nullopt,
                      std::string table_path = "");

  std::string name() const override { return "nb201"; }
  // "3 stages x 5 cells x 16 channels"
  std::string Description() const override;

  const std::vector<Decision>& decisions() const override { return decisions_; }
  // "edge": "1<-0" .. "3<-2", the benchmark's names of the edges.
  std::vector<std::string> DecisionColumns() const override { return {"edge"}; }
  std::string ChoiceColumn() const override { return "operation"; }
  // Runs on ATen operators whatever inputs.kernels says (operations.h).
  std::shared_ptr<Supernet> MakeSupernet(const NetworkInputs& inputs,
                                         std::optional<std::vector<int>> only_path) const override;
  Architecture Derive(absl::Span<const std::vector<double>> distributions) const override;
  // A letter per edge, nodes separated by '|' (cell.h): "3|1k|-a3".
  std::string PathText(absl::Span<const int> path) const override;
  std::string PathLegend() const override;

  absl::StatusOr<Architecture> ParseArchitecture(absl::string_view text) const override;
  // None: the table's best CIFAR-10 accuracy is shared by two cells.
  std::vector<std::string> BuiltinArchitectures() const override { return {}; }
  // The text form starts with '|'.
  bool IsArchitectureText(absl::string_view text) const override;
  Architecture RandomArchitecture(std::mt19937_64* rng) const override;
  absl::StatusOr<std::string> ArchitectureDot(const Architecture& architecture) const override;
  absl::StatusOr<std::vector<int>> PathOf(const Architecture& architecture) const override;
  // CIFAR-10, CIFAR-100 and ImageNet16-120 from the table, where there is one.
  std::vector<KnownAccuracy> KnownAccuracies(const Architecture& architecture) const override;
  std::string KnownAccuracySource() const override { return table_path_; }
  absl::StatusOr<std::shared_ptr<Network>> MakeNetwork(const Architecture& architecture,
                                                       const NetworkSpec& spec,
                                                       const NetworkInputs& inputs) const override;

 private:
  Nb201SupernetSpec spec_;
  std::vector<Decision> decisions_;
  std::optional<Nb201Table> table_;
  std::string table_path_;
};

}  // namespace mdenas

#endif  // MDENAS_SPACE_NB201_NB201_SPACE_H_
