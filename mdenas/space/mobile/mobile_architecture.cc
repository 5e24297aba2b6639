#include "mdenas/space/mobile/mobile_architecture.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/status_macros.h"

namespace mdenas {
namespace {

std::vector<MobileGene> Genes(std::initializer_list<std::pair<int, int>> pairs) {
  std::vector<MobileGene> genes;
  for (const auto& [kernel, expansion] : pairs) genes.push_back({kernel, expansion});
  return genes;
}

// The skeleton files' own genes: ProxylessNAS's found networks.
std::vector<MobileGene> SkeletonGenes(MobileSkeletonName name) {
  std::vector<MobileGene> genes;
  for (const SkeletonBlock& block : Skeleton(name).blocks) {
    if (block.slot) genes.push_back({block.kernel, block.expansion});
  }
  return genes;
}

const std::map<std::string, MobileArchitecture>& Builtins() {
  static const auto* const builtins = new std::map<std::string, MobileArchitecture>{
      {"MDENAS_GPU",
       {GPU, Genes({{7, 6},
                    {5, 6},
                    {7, 3},
                    {3, 6},
                    {5, 6},
                    {3, 1},
                    {7, 3},
                    {7, 6},
                    {3, 3},
                    {3, 6},
                    {7, 3},
                    {3, 3},
                    {3, 3},
                    {5, 6}})}},
      {"MDENAS_CPU", {CPU, Genes({{5, 3}, {7, 1}, {3, 6}, {5, 3}, {5, 3}, {5, 3}, {5, 1},
                                  {5, 6}, {5, 1}, {5, 6}, {7, 3}, {5, 3}, {7, 3}, {7, 6},
                                  {3, 6}, {5, 3}, {7, 6}, {7, 1}, {3, 3}, {3, 3}})}},
      {"PROXYLESS_GPU", {GPU, SkeletonGenes(GPU)}},
      {"PROXYLESS_CPU", {CPU, SkeletonGenes(CPU)}},
  };
  return *builtins;
}

// Reads the text form left to right; every error says at which character.
class Reader {
 public:
  explicit Reader(absl::string_view text) : text_(text) {}

  void SkipSpaces() {
    while (at_ < text_.size() && absl::ascii_isspace(text_[at_])) ++at_;
  }
  bool Done() {
    SkipSpaces();
    return at_ == text_.size();
  }
  bool Take(char c) {
    SkipSpaces();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  absl::Status Expect(char c) {
    if (Take(c)) return absl::OkStatus();
    return Fault(absl::StrCat("expected '", std::string(1, c), "'"));
  }
  absl::StatusOr<int> Number() {
    SkipSpaces();
    const size_t start = at_;
    while (at_ < text_.size() && absl::ascii_isdigit(text_[at_]) && at_ - start < 4) ++at_;
    if (at_ == start) return Fault("expected a number");
    int value = 0;
    for (size_t i = start; i < at_; ++i) value = value * 10 + (text_[i] - '0');
    return value;
  }
  // The lower-case word at the cursor, taken; empty if none.
  std::string Word() {
    SkipSpaces();
    const size_t start = at_;
    while (at_ < text_.size() && absl::ascii_isalpha(text_[at_])) ++at_;
    return absl::AsciiStrToLower(text_.substr(start, at_ - start));
  }
  absl::Status Fault(absl::string_view what) const {
    const std::string found =
        at_ < text_.size() ? absl::StrCat("'", text_.substr(at_, 8), "'") : "the end";
    return absl::InvalidArgumentError(
        absl::StrCat("mobile architecture, character ", at_ + 1, ": ", what, ", found ", found));
  }

 private:
  absl::string_view text_;
  size_t at_ = 0;
};

template <size_t N>
bool OneOf(int value, const int (&values)[N]) {
  return std::find(values, values + N, value) != values + N;
}

}  // namespace

MobileGene MobileChoice(int choice) {
  return {kMobileKernels[choice / 3], kMobileExpansions[choice % 3]};
}

int MobileChoiceIndex(const MobileGene& gene) {
  const int k =
      static_cast<int>(std::find(kMobileKernels, kMobileKernels + 3, gene.kernel) - kMobileKernels);
  const int e = static_cast<int>(
      std::find(kMobileExpansions, kMobileExpansions + 3, gene.expansion) - kMobileExpansions);
  return k * 3 + e;
}

std::string MobileChoiceName(int choice) {
  const MobileGene gene = MobileChoice(choice);
  return absl::StrCat("k", gene.kernel, "_e", gene.expansion);
}

std::string FormatMobileArchitecture(const MobileArchitecture& architecture) {
  std::vector<std::string> genes;
  for (const MobileGene& gene : architecture.genes) {
    genes.push_back(absl::StrCat("(", gene.kernel, ", ", gene.expansion, ")"));
  }
  return absl::StrCat(SkeletonText(architecture.skeleton), " [", absl::StrJoin(genes, ", "), "]");
}

absl::StatusOr<MobileArchitecture> ParseMobileArchitecture(absl::string_view text,
                                                           MobileSkeletonName skeleton) {
  const std::string name(absl::StripAsciiWhitespace(text));
  if (const auto it = Builtins().find(name); it != Builtins().end()) return it->second;
  Reader reader(text);
  MobileArchitecture architecture;
  architecture.skeleton = skeleton;
  const std::string word = reader.Word();
  if (word == "gpu" || word == "cpu") {
    architecture.skeleton = word == "cpu" ? CPU : GPU;
  } else if (!word.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mobile architecture: '", word, "' is neither a skeleton (gpu, cpu) nor a built-in (",
        absl::StrJoin(MobileBuiltinNames(), ", "), ")"));
  }
  MDENAS_RETURN_IF_ERROR(reader.Expect('['));
  while (!reader.Take(']')) {
    if (!architecture.genes.empty()) {
      MDENAS_RETURN_IF_ERROR(reader.Expect(','));
    }
    const int index = static_cast<int>(architecture.genes.size()) + 1;
    MDENAS_RETURN_IF_ERROR(reader.Expect('('));
    MDENAS_ASSIGN_OR_RETURN(const int kernel, reader.Number());
    MDENAS_RETURN_IF_ERROR(reader.Expect(','));
    MDENAS_ASSIGN_OR_RETURN(const int expansion, reader.Number());
    MDENAS_RETURN_IF_ERROR(reader.Expect(')'));
    if (!OneOf(kernel, kMobileKernels)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "mobile architecture, gene ", index, ": kernel ", kernel, " is not one of 3, 5, 7"));
    }
    if (!OneOf(expansion, kMobileExpansions)) {
      return absl::InvalidArgumentError(absl::StrCat("mobile architecture, gene ", index,
                                                     ": expansion ", expansion,
                                                     " is not one of 1, 3, 6"));
    }
    architecture.genes.push_back({kernel, expansion});
  }
  if (!reader.Done()) return reader.Fault("expected nothing after ']'");
  const size_t slots = Skeleton(architecture.skeleton).SlotBlocks().size();
  if (architecture.genes.size() != slots) {
    return absl::InvalidArgumentError(
        absl::StrCat("mobile architecture: ", architecture.genes.size(), " genes for the ",
                     SkeletonText(architecture.skeleton), " skeleton's ", slots, " slots"));
  }
  return architecture;
}

std::vector<std::string> MobileBuiltinNames() {
  std::vector<std::string> names;
  for (const auto& entry : Builtins()) names.push_back(entry.first);
  return names;
}

}  // namespace mdenas
