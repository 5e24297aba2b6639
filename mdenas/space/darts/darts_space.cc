#include "mdenas/space/darts/darts_space.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/space/cell_drawing.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/space/darts/derive_genotype.h"
#include "mdenas/space/darts/network.h"
#include "mdenas/space/darts/primitives.h"
#include "mdenas/space/darts/random_genotype.h"
#include "mdenas/space/darts/supernet.h"

namespace mdenas {

namespace {

// A node as DARTS's visualize.py names it: the cell inputs c_{k-2} and
// c_{k-1}, then the intermediate nodes from 0.
std::string NodeName(int node) {
  if (node == 0) return "c_{k-2}";
  if (node == 1) return "c_{k-1}";
  return absl::StrCat(node - 2);
}

std::string DrawCell(const CellGenotype& cell, absl::string_view name, absl::string_view title) {
  CellDrawing drawing(name, title);
  drawing.AddNode(NodeName(0), CellDrawing::kInput);
  drawing.AddNode(NodeName(1), CellDrawing::kInput);
  for (int node = 0; node < cell.nodes(); ++node) {
    drawing.AddNode(NodeName(node + 2), CellDrawing::kIntermediate);
  }
  drawing.AddNode("c_{k}", CellDrawing::kOutput);
  for (int e = 0; e < static_cast<int>(cell.edges.size()); ++e) {
    const GenotypeEdge& edge = cell.edges[e];
    drawing.AddEdge(NodeName(edge.input), NodeName(e / 2 + 2), edge.op);
  }
  for (const int node : cell.concat) drawing.AddEdge(NodeName(node), "c_{k}", "");
  return drawing.Dot();
}

}  // namespace

namespace {

constexpr const char* kCellNames[] = {"normal", "reduce"};

std::vector<Decision> CellEdgeDecisions(int nodes) {
  std::vector<Decision> decisions;
  const int edges = CellEdgeCount(nodes);
  for (const char* cell : kCellNames) {
    for (int edge = 0; edge < edges; ++edge) {
      const CellEdge ends = CellEdgeAt(edge);
      Decision decision;
      decision.columns = {cell, absl::StrCat(edge), absl::StrCat(ends.node),
                          absl::StrCat(ends.input)};
      decision.label = absl::StrFormat("%-6s %d->%d", cell, ends.input, ends.node);
      decision.choices = DartsOperations();
      decision.zero_choice = 0;  // none
      decisions.push_back(std::move(decision));
    }
  }
  return decisions;
}

}  // namespace

DartsSpace::DartsSpace(const DartsSupernetSpec& spec)
    : spec_(spec), decisions_(CellEdgeDecisions(spec.nodes())) {}

std::string DartsSpace::Description() const {
  return absl::StrCat(spec_.layers(), " cells x ", spec_.init_channels(), " channels");
}

std::vector<std::string> DartsSpace::DecisionColumns() const {
  return {"cell", "edge", "node", "input"};
}

std::shared_ptr<Supernet> DartsSpace::MakeSupernet(
    const NetworkInputs& inputs, std::optional<std::vector<int>> only_path) const {
  DartsSupernetOptions options = DartsSupernetOptions()
                                     .input_channels(inputs.channels)
                                     .num_classes(inputs.classes)
                                     .layers(spec_.layers())
                                     .init_channels(spec_.init_channels())
                                     .nodes(spec_.nodes())
                                     .kernels(inputs.kernels);
  if (only_path) options.fixed_path(std::move(*only_path));
  return DartsSupernet(options).ptr();
}

Architecture DartsSpace::Derive(absl::Span<const std::vector<double>> distributions) const {
  return {FormatDartsGenotype(DeriveGenotype(distributions, DartsOperations(), spec_.nodes()))};
}

std::string DartsSpace::PathText(absl::Span<const int> path) const {
  const size_t edges = CellEdgeCount(spec_.nodes());
  return absl::StrCat("n ", ShortCellPath(path.subspan(0, edges), spec_.nodes()), " r ",
                      ShortCellPath(path.subspan(edges), spec_.nodes()));
}

std::string DartsSpace::PathLegend() const { return ShortPathLegend(); }

absl::StatusOr<Architecture> DartsSpace::ParseArchitecture(absl::string_view text) const {
  absl::StatusOr<Genotype> genotype = BuiltinGenotype(text);
  if (!genotype.ok()) {
    MDENAS_ASSIGN_OR_RETURN(genotype, ParseDartsGenotype(text));
    MDENAS_RETURN_IF_ERROR(ValidateGenotype(*genotype, DartsOperations()));
  }
  return Architecture{FormatDartsGenotype(*genotype)};
}

std::vector<std::string> DartsSpace::BuiltinArchitectures() const { return BuiltinGenotypeNames(); }

bool DartsSpace::IsArchitectureText(absl::string_view text) const {
  return BuiltinGenotype(text).ok() ||
         absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "Genotype(");
}

Architecture DartsSpace::RandomArchitecture(std::mt19937_64* rng) const {
  return {FormatDartsGenotype(SampleGenotype(DartsOperations(), spec_.nodes(), rng))};
}

absl::StatusOr<Genotype> DartsSpace::GenotypeOf(const Architecture& architecture) const {
  MDENAS_ASSIGN_OR_RETURN(Genotype genotype, ParseDartsGenotype(architecture.text));
  MDENAS_RETURN_IF_ERROR(ValidateGenotype(genotype, DartsOperations()));
  return genotype;
}

absl::StatusOr<std::string> DartsSpace::ArchitectureDot(const Architecture& architecture) const {
  MDENAS_ASSIGN_OR_RETURN(const Genotype genotype, GenotypeOf(architecture));
  return absl::StrCat(DrawCell(genotype.normal, "normal", "normal cell"),
                      DrawCell(genotype.reduce, "reduce", "reduction cell"));
}

absl::StatusOr<std::vector<int>> DartsSpace::PathOf(const Architecture& architecture) const {
  MDENAS_ASSIGN_OR_RETURN(const Genotype genotype, GenotypeOf(architecture));
  return GenotypePath(genotype, DartsOperations(), spec_.nodes());
}

absl::StatusOr<std::shared_ptr<Network>> DartsSpace::MakeNetwork(
    const Architecture& architecture, const NetworkSpec& spec, const NetworkInputs& inputs) const {
  if (!spec.has_darts()) {
    return absl::InvalidArgumentError("the network spec holds no darts settings");
  }
  MDENAS_ASSIGN_OR_RETURN(const Genotype genotype, GenotypeOf(architecture));
  const DartsNetworkSpec& net = spec.darts();
  const DartsNetworkOptions options =
      DartsNetworkOptions()
          .stem(inputs.dataset == DataSpec::IMAGENET ? DartsStem::kImageNet : DartsStem::kCifar)
          .input_channels(inputs.channels)
          .num_classes(inputs.classes)
          .layers(net.layers())
          .init_channels(net.init_channels())
          .auxiliary(net.auxiliary())
          .auxiliary_weight(net.auxiliary_weight())
          .drop_path_prob(net.drop_path_prob())
          .classifier_dropout(net.classifier_dropout())
          .pool_bn(net.pool_bn())
          .kernels(inputs.kernels);
  if (options.auxiliary()) {
    MDENAS_RETURN_IF_ERROR(CheckAuxiliaryHeadFits(options, std::min(inputs.height, inputs.width)));
  }
  return DartsNetwork(genotype, options).ptr();
}

}  // namespace mdenas
