#include "mdenas/space/mobile/mobile_space.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/space/cell_drawing.h"
#include "mdenas/space/mobile/mobile_network.h"

namespace mdenas {
namespace {

std::vector<Decision> SlotDecisions(const MobileSkeleton& skeleton) {
  std::vector<std::string> choices;
  for (int c = 0; c < kMobileChoices; ++c) choices.push_back(MobileChoiceName(c));
  std::vector<Decision> decisions;
  for (const int b : skeleton.SlotBlocks()) {
    const SkeletonBlock& block = skeleton.blocks[b];
    Decision decision;
    decision.columns = {absl::StrCat(decisions.size() + 1)};
    decision.label =
        absl::StrCat("slot ", decisions.size() + 1, " (block ", b, ", ", block.in_channels, "->",
                     block.out_channels, ", stride ", block.stride, ")");
    decision.choices = choices;
    decisions.push_back(std::move(decision));
  }
  return decisions;
}

Architecture ArchitectureOf(MobileSkeletonName skeleton, absl::Span<const int> path) {
  MobileArchitecture architecture{skeleton, {}};
  for (const int choice : path) architecture.genes.push_back(MobileChoice(choice));
  return {FormatMobileArchitecture(architecture)};
}

}  // namespace

absl::StatusOr<std::unique_ptr<MobileSpace>> MobileSpace::Create(const MobileSupernetSpec& spec) {
  if (spec.latency_table().empty()) return std::make_unique<MobileSpace>(spec);
  const std::string path = UserPath(spec.latency_table());
  absl::StatusOr<MobileLatencyTable> table = ReadMobileLatencyTable(path);
  if (!table.ok()) {
    return absl::Status(table.status().code(),
                        absl::StrCat("space.mobile.latency_table: ", table.status().message()));
  }
  if (table->skeleton != spec.skeleton()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "space.mobile.latency_table: ", path, " is a table of the ", SkeletonText(table->skeleton),
        " skeleton; the space searches the ", SkeletonText(spec.skeleton()), " skeleton"));
  }
  return std::make_unique<MobileSpace>(spec, *std::move(table));
}

MobileSpace::MobileSpace(const MobileSupernetSpec& spec, std::optional<MobileLatencyTable> latency)
    : spec_(spec),
      decisions_(SlotDecisions(Skeleton(spec.skeleton()))),
      latency_(std::move(latency)) {}

absl::StatusOr<double> MobileSpace::PredictLatencyMs(absl::Span<const int> path) const {
  if (!latency_) {
    return absl::FailedPreconditionError(
        "the mobile space has no latency table: set space.mobile.latency_table "
        "(//eval:latency_table "
        "writes them)");
  }
  return latency_->Predict(path);
}

std::string MobileSpace::Description() const {
  return absl::StrCat(
      SkeletonText(spec_.skeleton()), " skeleton, ", decisions_.size(), " slots x ", kMobileChoices,
      " blocks",
      spec_.channel_scale() == 1 ? "" : absl::StrCat(", channels x ", spec_.channel_scale()));
}

std::shared_ptr<Supernet> MobileSpace::MakeSupernet(
    const NetworkInputs& inputs, std::optional<std::vector<int>> only_path) const {
  return MobileSupernet(spec_.skeleton(), spec_.channel_scale(), inputs, std::move(only_path))
      .ptr();
}

Architecture MobileSpace::Derive(absl::Span<const std::vector<double>> distributions) const {
  std::vector<int> path;
  for (const std::vector<double>& distribution : distributions) {
    path.push_back(static_cast<int>(std::max_element(distribution.begin(), distribution.end()) -
                                    distribution.begin()));
  }
  return ArchitectureOf(spec_.skeleton(), path);
}

std::string MobileSpace::PathText(absl::Span<const int> path) const {
  std::vector<std::string> slots;
  for (const int choice : path) {
    const MobileGene gene = MobileChoice(choice);
    slots.push_back(absl::StrCat(gene.kernel, gene.expansion));
  }
  return absl::StrJoin(slots, " ");
}

std::string MobileSpace::PathLegend() const {
  return "per slot: kernel, then expansion (76: a 7x7 depthwise conv, expansion 6)";
}

absl::StatusOr<Architecture> MobileSpace::ParseArchitecture(absl::string_view text) const {
  MDENAS_ASSIGN_OR_RETURN(const MobileArchitecture architecture,
                          ParseMobileArchitecture(text, spec_.skeleton()));
  return Architecture{FormatMobileArchitecture(architecture)};
}

bool MobileSpace::IsArchitectureText(absl::string_view text) const {
  const std::string stripped = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  const std::vector<std::string> builtins = MobileBuiltinNames();
  return absl::StartsWith(stripped, "[") || absl::StartsWith(stripped, "gpu") ||
         absl::StartsWith(stripped, "cpu") ||
         std::find(builtins.begin(), builtins.end(), absl::StripAsciiWhitespace(text)) !=
             builtins.end();
}

Architecture MobileSpace::RandomArchitecture(std::mt19937_64* rng) const {
  std::uniform_int_distribution<int> choice(0, kMobileChoices - 1);
  std::vector<int> path;
  for (size_t s = 0; s < decisions_.size(); ++s) path.push_back(choice(*rng));
  return ArchitectureOf(spec_.skeleton(), path);
}

absl::StatusOr<std::string> MobileSpace::ArchitectureDot(const Architecture& architecture) const {
  MDENAS_ASSIGN_OR_RETURN(const MobileArchitecture parsed,
                          ParseMobileArchitecture(architecture.text, spec_.skeleton()));
  const MobileSkeleton& skeleton = Skeleton(parsed.skeleton);
  CellDrawing drawing("network", absl::StrCat(SkeletonText(parsed.skeleton), " network"));
  drawing.AddNode("stem", CellDrawing::kInput);
  std::string previous = "stem";
  const std::vector<int> slots = skeleton.SlotBlocks();
  for (size_t s = 0; s < slots.size(); ++s) {
    const SkeletonBlock& block = skeleton.blocks[slots[s]];
    const std::string node = absl::StrCat(s + 1);
    drawing.AddNode(node,
                    s + 1 == slots.size() ? CellDrawing::kOutput : CellDrawing::kIntermediate);
    drawing.AddEdge(previous, node,
                    absl::StrCat(parsed.genes[s].kernel, "x", parsed.genes[s].kernel, " e",
                                 parsed.genes[s].expansion, block.stride == 2 ? " /2" : "",
                                 block.shortcut ? " +" : ""));
    previous = node;
  }
  return drawing.Dot();
}

absl::StatusOr<std::vector<int>> MobileSpace::PathOf(const Architecture& architecture) const {
  MDENAS_ASSIGN_OR_RETURN(const MobileArchitecture parsed,
                          ParseMobileArchitecture(architecture.text, spec_.skeleton()));
  if (parsed.skeleton != spec_.skeleton()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the architecture is of the ", SkeletonText(parsed.skeleton),
                     " skeleton; this space searches the ", SkeletonText(spec_.skeleton()),
                     " skeleton (space.mobile.skeleton)"));
  }
  std::vector<int> path;
  for (const MobileGene& gene : parsed.genes) path.push_back(MobileChoiceIndex(gene));
  return path;
}

absl::StatusOr<std::shared_ptr<Network>> MobileSpace::MakeNetwork(
    const Architecture& architecture, const NetworkSpec& spec, const NetworkInputs& inputs) const {
  if (!spec.has_mobile()) {
    return absl::InvalidArgumentError("the network spec holds no mobile settings");
  }
  MDENAS_ASSIGN_OR_RETURN(const MobileArchitecture parsed,
                          ParseMobileArchitecture(architecture.text, spec_.skeleton()));
  return MobileNetwork(parsed, inputs, spec.mobile().dropout()).ptr();
}

}  // namespace mdenas
