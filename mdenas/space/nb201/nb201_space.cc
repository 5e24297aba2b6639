#include "mdenas/space/nb201/nb201_space.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/data_location.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/space/cell_drawing.h"
#include "mdenas/space/nb201/network.h"
#include "mdenas/space/nb201/supernet.h"

namespace mdenas {
namespace {

std::vector<Decision> EdgeDecisions() {
  std::vector<Decision> decisions;
  for (const Nb201Edge& edge : Nb201Edges()) {
    Decision decision;
    decision.columns = {Nb201EdgeName(edge)};
    decision.label = absl::StrCat("edge ", Nb201EdgeName(edge));
    decision.choices = Nb201OperationNames();
    decision.zero_choice = kNb201None;
    decisions.push_back(std::move(decision));
  }
  return decisions;
}

Architecture ArchitectureOf(const Nb201Cell& cell) { return {FormatNb201Cell(cell)}; }

}  // namespace

absl::StatusOr<std::unique_ptr<Nb201Space>> Nb201Space::Create(const Nb201SupernetSpec& spec) {
  std::string path = spec.table();
  if (path.empty()) {
    for (const std::string& candidate : SharedDataCandidates("nb201/nb201_accuracy.csv")) {
      if (PathExists(candidate)) {
        path = candidate;
        break;
      }
    }
    if (path.empty()) return std::make_unique<Nb201Space>(spec);
  }
  path = UserPath(path);
  absl::StatusOr<Nb201Table> table = Nb201Table::Read(path);
  if (!table.ok()) {
    return absl::Status(table.status().code(),
                        absl::StrCat("space.nb201.table: ", table.status().message()));
  }
  return std::make_unique<Nb201Space>(spec, *std::move(table), path);
}

Nb201Space::Nb201Space(const Nb201SupernetSpec& spec, std::optional<Nb201Table> table,
                       std::string table_path)
    : spec_(spec),
      decisions_(EdgeDecisions()),
      table_(std::move(table)),
      table_path_(std::move(table_path)) {}

std::string Nb201Space::Description() const {
  return absl::StrCat("3 stages x ", spec_.cells_per_stage(), " cells x ", spec_.channels(),
                      " channels");
}

std::shared_ptr<Supernet> Nb201Space::MakeSupernet(
    const NetworkInputs& inputs, std::optional<std::vector<int>> only_path) const {
  Nb201SupernetOptions options = Nb201SupernetOptions()
                                     .input_channels(inputs.channels)
                                     .num_classes(inputs.classes)
                                     .channels(spec_.channels())
                                     .cells_per_stage(spec_.cells_per_stage());
  if (only_path) options.fixed_path(std::move(*only_path));
  return Nb201Supernet(options).ptr();
}

Architecture Nb201Space::Derive(absl::Span<const std::vector<double>> distributions) const {
  return ArchitectureOf(DeriveNb201Cell(distributions));
}

std::string Nb201Space::PathText(absl::Span<const int> path) const { return ShortNb201Path(path); }

std::string Nb201Space::PathLegend() const {
  std::vector<std::string> letters;
  for (const Nb201Operation& op : Nb201Operations()) {
    letters.push_back(absl::StrCat(std::string(1, op.letter), " ", op.name));
  }
  return absl::StrCat("path letters: ", absl::StrJoin(letters, ", "),
                      "; edges 1<-0 | 2<-0 2<-1 | 3<-0 3<-1 3<-2");
}

absl::StatusOr<Architecture> Nb201Space::ParseArchitecture(absl::string_view text) const {
  MDENAS_ASSIGN_OR_RETURN(const Nb201Cell cell, ParseNb201Cell(text));
  return ArchitectureOf(cell);
}

bool Nb201Space::IsArchitectureText(absl::string_view text) const {
  return absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "|");
}

Architecture Nb201Space::RandomArchitecture(std::mt19937_64* rng) const {
  return ArchitectureOf(SampleNb201Cell(rng));
}

// The benchmark's nodes 0 (the cell input) to 3 (the output), an edge for
// every operation but `none`, which computes nothing.
absl::StatusOr<std::string> Nb201Space::ArchitectureDot(const Architecture& architecture) const {
  MDENAS_ASSIGN_OR_RETURN(const Nb201Cell cell, ParseNb201Cell(architecture.text));
  CellDrawing drawing("cell", "cell");
  for (int node = 0; node < kNb201Nodes; ++node) {
    drawing.AddNode(absl::StrCat(node), node == 0                 ? CellDrawing::kInput
                                        : node == kNb201Nodes - 1 ? CellDrawing::kOutput
                                                                  : CellDrawing::kIntermediate);
  }
  for (int e = 0; e < kNb201EdgeCount; ++e) {
    if (cell.ops[e] == kNb201None) continue;
    const Nb201Edge& edge = Nb201Edges()[e];
    drawing.AddEdge(absl::StrCat(edge.input), absl::StrCat(edge.node),
                    Nb201OperationNames()[cell.ops[e]]);
  }
  return drawing.Dot();
}

absl::StatusOr<std::vector<int>> Nb201Space::PathOf(const Architecture& architecture) const {
  MDENAS_ASSIGN_OR_RETURN(const Nb201Cell cell, ParseNb201Cell(architecture.text));
  return std::vector<int>(cell.ops.begin(), cell.ops.end());
}

std::vector<KnownAccuracy> Nb201Space::KnownAccuracies(const Architecture& architecture) const {
  if (!table_) return {};
  // The table holds every architecture of the space, and this space wrote
  // `architecture`: a failed lookup is a bug, not bad input.
  const Nb201Record record = table_->Lookup(architecture.text).value();
  std::vector<KnownAccuracy> known;
  for (const auto& [dataset, accuracy] :
       {std::pair{"cifar10", record.cifar10}, std::pair{"cifar100", record.cifar100},
        std::pair{"imagenet16_120", record.imagenet16_120}}) {
    KnownAccuracy& entry = known.emplace_back();
    entry.set_dataset(dataset);
    entry.set_test_accuracy(accuracy.test_accuracy);
    entry.set_percentile(accuracy.percentile);
  }
  return known;
}

absl::StatusOr<std::shared_ptr<Network>> Nb201Space::MakeNetwork(
    const Architecture& architecture, const NetworkSpec& spec, const NetworkInputs& inputs) const {
  if (!spec.has_nb201()) {
    return absl::InvalidArgumentError("the network spec holds no nb201 settings");
  }
  MDENAS_ASSIGN_OR_RETURN(const Nb201Cell cell, ParseNb201Cell(architecture.text));
  const Nb201NetworkSpec& net = spec.nb201();
  return Nb201Network(cell, Nb201NetworkOptions()
                                .input_channels(inputs.channels)
                                .num_classes(inputs.classes)
                                .channels(net.channels())
                                .cells_per_stage(net.cells_per_stage()))
      .ptr();
}

}  // namespace mdenas
