#include "mdenas/space/nb201/cell.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mdenas {
namespace {

constexpr char kExpectedForm[] = "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|";

absl::Status Malformed(absl::string_view text, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("NAS-Bench-201 architecture '", text, "': ", what));
}

// The index of operation `name` in Nb201Operations(), or -1.
int OperationIndex(absl::string_view name) {
  const std::vector<std::string>& names = Nb201OperationNames();
  for (size_t op = 0; op < names.size(); ++op) {
    if (names[op] == name) return static_cast<int>(op);
  }
  return -1;
}

// A uniform index in [0, n), the same on every platform (unlike
// std::uniform_int_distribution).
int UniformIndex(std::mt19937_64* rng, int n) {
  return static_cast<int>((static_cast<unsigned __int128>((*rng)()) * n) >> 64);
}

}  // namespace

const std::vector<Nb201Operation>& Nb201Operations() {
  static const auto* const operations = new std::vector<Nb201Operation>{{"none", '-'},
                                                                        {"skip_connect", 'k'},
                                                                        {"nor_conv_1x1", '1'},
                                                                        {"nor_conv_3x3", '3'},
                                                                        {"avg_pool_3x3", 'a'}};
  return *operations;
}

const std::vector<std::string>& Nb201OperationNames() {
  static const auto* const names = [] {
    auto* names = new std::vector<std::string>;
    for (const Nb201Operation& op : Nb201Operations()) names->push_back(op.name);
    return names;
  }();
  return *names;
}

const std::array<Nb201Edge, kNb201EdgeCount>& Nb201Edges() {
  static constexpr std::array<Nb201Edge, kNb201EdgeCount> kEdges = {
      {{1, 0}, {2, 0}, {2, 1}, {3, 0}, {3, 1}, {3, 2}}};
  return kEdges;
}

std::string Nb201EdgeName(const Nb201Edge& edge) {
  return absl::StrCat(edge.node, "<-", edge.input);
}

int Nb201CellCode(const Nb201Cell& cell) {
  int code = 0;
  for (const int op : cell.ops) code = code * kNb201OperationCount + op;
  return code;
}

Nb201Cell Nb201CellOfCode(int code) {
  Nb201Cell cell;
  for (int edge = kNb201EdgeCount - 1; edge >= 0; --edge) {
    cell.ops[edge] = code % kNb201OperationCount;
    code /= kNb201OperationCount;
  }
  return cell;
}

absl::StatusOr<Nb201Cell> ParseNb201Cell(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty NAS-Bench-201 architecture; expected ", kExpectedForm));
  }
  const std::vector<absl::string_view> nodes = absl::StrSplit(text, '+');
  if (nodes.size() != kNb201Nodes - 1) {
    return Malformed(text,
                     absl::StrCat("has ", nodes.size(), " nodes separated by '+', expected 3 (",
                                  kExpectedForm, ")"));
  }
  Nb201Cell cell;
  int edge = 0;
  for (int node = 1; node < kNb201Nodes; ++node) {
    const absl::string_view written = nodes[node - 1];
    if (written.size() < 2 || written.front() != '|' || written.back() != '|') {
      return Malformed(
          text, absl::StrCat("node ", node, " '", written, "' does not start and end with '|'"));
    }
    const std::vector<absl::string_view> edges =
        absl::StrSplit(written.substr(1, written.size() - 2), '|');
    if (static_cast<int>(edges.size()) != node) {
      return Malformed(text, absl::StrCat("node ", node, " has ", edges.size(), " edges, expected ",
                                          node, " (one from each of nodes 0..", node - 1, ")"));
    }
    for (int input = 0; input < node; ++input, ++edge) {
      const absl::string_view written_edge = edges[input];
      const std::string where =
          absl::StrCat("node ", node, ", edge ", input + 1, " '", written_edge, "'");
      const std::vector<absl::string_view> parts = absl::StrSplit(written_edge, '~');
      if (parts.size() != 2) {
        return Malformed(text, absl::StrCat(where, ": expected op~source"));
      }
      const int op = OperationIndex(parts[0]);
      if (op < 0) {
        return Malformed(
            text, absl::StrCat(where, ": unknown operation '", parts[0],
                               "'; operations: ", absl::StrJoin(Nb201OperationNames(), ", ")));
      }
      int source = -1;
      if (!absl::SimpleAtoi(parts[1], &source) || source != input) {
        return Malformed(text, absl::StrCat(where, ": source '", parts[1], "', expected ", input,
                                            " (a node's edges come in order of "
                                            "their source)"));
      }
      cell.ops[edge] = op;
    }
  }
  return cell;
}

std::string FormatNb201Cell(const Nb201Cell& cell) {
  std::string text;
  int edge = 0;
  for (int node = 1; node < kNb201Nodes; ++node) {
    if (node > 1) text += '+';
    text += '|';
    for (int input = 0; input < node; ++input, ++edge) {
      absl::StrAppend(&text, Nb201OperationNames()[cell.ops[edge]], "~", input, "|");
    }
  }
  return text;
}

Nb201Cell DeriveNb201Cell(absl::Span<const std::vector<double>> distributions) {
  Nb201Cell cell;
  for (int edge = 0; edge < kNb201EdgeCount; ++edge) {
    const std::vector<double>& p = distributions[edge];
    int best = 0;
    for (size_t op = 1; op < p.size(); ++op) {
      if (p[op] > p[best]) best = static_cast<int>(op);
    }
    cell.ops[edge] = best;
  }
  return cell;
}

Nb201Cell SampleNb201Cell(std::mt19937_64* rng) {
  Nb201Cell cell;
  for (int& op : cell.ops) op = UniformIndex(rng, kNb201OperationCount);
  return cell;
}

std::string ShortNb201Path(absl::Span<const int> ops) {
  std::string text;
  size_t edge = 0;
  for (int node = 1; node < kNb201Nodes; ++node) {
    if (node > 1) text += '|';
    for (int input = 0; input < node && edge < ops.size(); ++input) {
      text += Nb201Operations()[ops[edge++]].letter;
    }
  }
  return text;
}

}  // namespace mdenas
