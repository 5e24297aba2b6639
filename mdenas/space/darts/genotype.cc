#include "mdenas/space/darts/genotype.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/space/darts/cell_topology.h"

namespace mdenas {
namespace {

// A recursive-descent parser of the DARTS text form.
class DartsGenotypeParser {
 public:
  explicit DartsGenotypeParser(absl::string_view text) : text_(text) {}

  absl::StatusOr<Genotype> Parse() {
    SkipSpace();
    const size_t start = position_;
    std::string word = ReadIdentifier();
    SkipSpace();
    // An optional `name =` in front, as DARTS logs print `genotype = ...`.
    if (word != "Genotype" && Consume('=')) {
      SkipSpace();
      word = ReadIdentifier();
    }
    if (word != "Genotype") {
      position_ = start;
      return Error("expected 'Genotype('");
    }
    SkipSpace();
    MDENAS_RETURN_IF_ERROR(Expect('('));
    static const char* const kFields[] = {"normal", "normal_concat", "reduce",
                                          "reduce_concat"};
    std::set<std::string> seen;
    Genotype genotype;
    for (int positional = 0;; ++positional) {
      SkipSpace();
      if (Consume(')')) break;
      std::string field;
      const size_t before = position_;
      const std::string name = ReadIdentifier();
      SkipSpace();
      if (!name.empty() && Consume('=')) {
        field = name;
      } else {
        position_ = before;
        if (positional >= 4) return Error("too many fields");
        field = kFields[positional];
      }
      if (!seen.insert(field).second) {
        return Error(absl::StrCat("field '", field, "' given twice"));
      }
      if (field == "normal") {
        MDENAS_RETURN_IF_ERROR(ParseEdges(&genotype.normal.edges));
      } else if (field == "reduce") {
        MDENAS_RETURN_IF_ERROR(ParseEdges(&genotype.reduce.edges));
      } else if (field == "normal_concat") {
        MDENAS_RETURN_IF_ERROR(ParseConcat(&genotype.normal.concat));
      } else if (field == "reduce_concat") {
        MDENAS_RETURN_IF_ERROR(ParseConcat(&genotype.reduce.concat));
      } else {
        position_ = before;
        return Error(absl::StrCat("unknown field '", field,
                                  "'; expected normal, normal_concat, reduce "
                                  "or reduce_concat"));
      }
      SkipSpace();
      if (Consume(')')) break;
      MDENAS_RETURN_IF_ERROR(Expect(','));
    }
    for (const char* field : kFields) {
      if (seen.count(field) == 0) {
        return Error(absl::StrCat("field '", field, "' is missing"));
      }
    }
    SkipSpace();
    if (position_ != text_.size()) return Error("unexpected text after ')'");
    return genotype;
  }

 private:
  // [edge, ...] or [[edge, edge], ...], one inner list per node.
  absl::Status ParseEdges(std::vector<GenotypeEdge>* edges) {
    MDENAS_RETURN_IF_ERROR(Expect('['));
    int node = 2;
    while (true) {
      SkipSpace();
      if (Consume(']')) return absl::OkStatus();
      if (Peek() == '[') {
        const size_t list_start = position_;
        Consume('[');
        std::vector<GenotypeEdge> node_edges;
        while (true) {
          SkipSpace();
          if (Consume(']')) break;
          node_edges.emplace_back();
          MDENAS_RETURN_IF_ERROR(ParseEdge(&node_edges.back()));
          SkipSpace();
          if (Peek() != ']') MDENAS_RETURN_IF_ERROR(Expect(','));
        }
        if (node_edges.size() != 2) {
          position_ = list_start;
          return Error(absl::StrCat("node ", node, " lists ", node_edges.size(),
                                    " edges; every node takes exactly 2"));
        }
        edges->insert(edges->end(), node_edges.begin(), node_edges.end());
        ++node;
      } else {
        edges->emplace_back();
        MDENAS_RETURN_IF_ERROR(ParseEdge(&edges->back()));
      }
      SkipSpace();
      if (Peek() != ']') MDENAS_RETURN_IF_ERROR(Expect(','));
    }
  }

  // ('op_name', input)
  absl::Status ParseEdge(GenotypeEdge* edge) {
    MDENAS_RETURN_IF_ERROR(Expect('('));
    SkipSpace();
    MDENAS_RETURN_IF_ERROR(ParseString(&edge->op));
    SkipSpace();
    MDENAS_RETURN_IF_ERROR(Expect(','));
    SkipSpace();
    MDENAS_RETURN_IF_ERROR(ParseInt(&edge->input));
    SkipSpace();
    return Expect(')');
  }

  // [2, 3, 4, 5] or range(2, 6)
  absl::Status ParseConcat(std::vector<int>* concat) {
    SkipSpace();
    const size_t start = position_;
    if (ReadIdentifier() == "range") {
      int begin = 0, end = 0;
      SkipSpace();
      MDENAS_RETURN_IF_ERROR(Expect('('));
      SkipSpace();
      MDENAS_RETURN_IF_ERROR(ParseInt(&begin));
      SkipSpace();
      MDENAS_RETURN_IF_ERROR(Expect(','));
      SkipSpace();
      MDENAS_RETURN_IF_ERROR(ParseInt(&end));
      SkipSpace();
      MDENAS_RETURN_IF_ERROR(Expect(')'));
      if (end - begin > 64) {
        position_ = start;
        return Error("range too long for a concat list");
      }
      for (int node = begin; node < end; ++node) concat->push_back(node);
      return absl::OkStatus();
    }
    position_ = start;
    MDENAS_RETURN_IF_ERROR(Expect('['));
    while (true) {
      SkipSpace();
      if (Consume(']')) return absl::OkStatus();
      concat->emplace_back();
      MDENAS_RETURN_IF_ERROR(ParseInt(&concat->back()));
      SkipSpace();
      if (Peek() != ']') MDENAS_RETURN_IF_ERROR(Expect(','));
    }
  }

  absl::Status ParseString(std::string* out) {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') {
      return Error("expected a quoted operation name");
    }
    const size_t start = ++position_;
    const size_t end = text_.find(quote, start);
    if (end == absl::string_view::npos) return Error("unterminated string");
    *out = std::string(text_.substr(start, end - start));
    position_ = end + 1;
    return absl::OkStatus();
  }

  absl::Status ParseInt(int* out) {
    const size_t start = position_;
    if (Peek() == '-') ++position_;
    while (position_ < text_.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(text_[position_]))) {
      ++position_;
    }
    if (!absl::SimpleAtoi(text_.substr(start, position_ - start), out)) {
      position_ = start;
      return Error("expected an integer");
    }
    return absl::OkStatus();
  }

  std::string ReadIdentifier() {
    const size_t start = position_;
    while (position_ < text_.size() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(text_[position_])) ||
            text_[position_] == '_')) {
      ++position_;
    }
    return std::string(text_.substr(start, position_ - start));
  }

  void SkipSpace() {
    while (position_ < text_.size() &&
           absl::ascii_isspace(static_cast<unsigned char>(text_[position_]))) {
      ++position_;
    }
  }

  char Peek() const {
    return position_ < text_.size() ? text_[position_] : '\0';
  }

  bool Consume(char c) {
    if (Peek() != c) return false;
    ++position_;
    return true;
  }

  absl::Status Expect(char c) {
    if (Consume(c)) return absl::OkStatus();
    return Error(absl::StrCat("expected '", std::string(1, c), "'"));
  }

  // An error at the current position: "line L, column C: what (found 'x')".
  absl::Status Error(absl::string_view what) const {
    int line = 1, column = 1;
    for (size_t i = 0; i < position_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    const std::string found =
        position_ < text_.size()
            ? absl::StrCat("found '", text_.substr(position_, 12), "'")
            : "found the end of the text";
    return absl::InvalidArgumentError(absl::StrCat(
        "genotype text, line ", line, ", column ", column, ": ", what, " (",
        found, ")"));
  }

  absl::string_view text_;
  size_t position_ = 0;
};

std::string FormatCell(const CellGenotype& cell, absl::string_view name) {
  std::vector<std::string> edges;
  for (const GenotypeEdge& edge : cell.edges) {
    edges.push_back(absl::StrCat("('", edge.op, "', ", edge.input, ")"));
  }
  return absl::StrCat(name, "=[", absl::StrJoin(edges, ", "), "], ", name,
                      "_concat=[", absl::StrJoin(cell.concat, ", "), "]");
}

absl::Status ValidateCell(const CellGenotype& cell, absl::string_view name,
                          const std::vector<std::string>& operations) {
  if (cell.edges.empty() || cell.edges.size() % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " cell has ", cell.edges.size(),
        " edges; every intermediate node takes exactly 2, so the count must "
        "be even and positive"));
  }
  for (size_t i = 0; i < cell.edges.size(); ++i) {
    const GenotypeEdge& edge = cell.edges[i];
    const int node = 2 + static_cast<int>(i) / 2;
    if (std::find(operations.begin(), operations.end(), edge.op) ==
        operations.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, " cell, edge ", i, " (node ", node, "): unknown operation '",
          edge.op, "'; known: ", absl::StrJoin(operations, ", ")));
    }
    if (edge.input < 0 || edge.input >= node) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, " cell, edge ", i, " (node ", node, "): input ", edge.input,
          " is out of range; node ", node, " reads nodes 0 to ", node - 1));
    }
  }
  if (cell.concat.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, "_concat is empty"));
  }
  std::set<int> seen;
  for (int node : cell.concat) {
    if (node < 2 || node > cell.nodes() + 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, "_concat names node ", node, "; the intermediate nodes are 2 to ",
          cell.nodes() + 1));
    }
    if (!seen.insert(node).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, "_concat names node ", node, " twice"));
    }
  }
  return absl::OkStatus();
}

const std::map<std::string, std::string, std::less<>>& Builtins() {
  static const auto* const builtins =
      new std::map<std::string, std::string, std::less<>>{
          // DARTS (first order), github.com/quark0/darts cnn/genotypes.py.
          {"DARTS_V1",
           "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
           "('skip_connect', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), "
           "('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)], "
           "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
           "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), "
           "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), "
           "('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])"},
          // DARTS (second order), the same file.
          {"DARTS_V2",
           "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
           "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), "
           "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
           "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
           "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), "
           "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), "
           "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"},
          // MdeNAS, github.com/tanglang96/MDENAS run_darts_cifar.sh.
          {"MDENAS",
           "Genotype(normal=[('sep_conv_5x5', 1), ('sep_conv_3x3', 0), "
           "('skip_connect', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 3), "
           "('sep_conv_3x3', 1), ('dil_conv_5x5', 3), ('max_pool_3x3', 4)], "
           "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
           "('sep_conv_5x5', 1), ('skip_connect', 0), ('skip_connect', 1), "
           "('sep_conv_3x3', 3), ('skip_connect', 2), ('dil_conv_3x3', 3), "
           "('sep_conv_5x5', 0)], reduce_concat=[2, 3, 4, 5])"},
      };
  return *builtins;
}

}  // namespace

absl::StatusOr<Genotype> ParseDartsGenotype(absl::string_view text) {
  return DartsGenotypeParser(text).Parse();
}

std::string FormatDartsGenotype(const Genotype& genotype) {
  return absl::StrCat("Genotype(", FormatCell(genotype.normal, "normal"), ", ",
                      FormatCell(genotype.reduce, "reduce"), ")");
}

absl::Status ValidateGenotype(const Genotype& genotype,
                              const std::vector<std::string>& operations) {
  MDENAS_RETURN_IF_ERROR(ValidateCell(genotype.normal, "normal", operations));
  return ValidateCell(genotype.reduce, "reduce", operations);
}

const std::vector<std::string>& BuiltinGenotypeNames() {
  static const auto* const names = [] {
    auto* names = new std::vector<std::string>;
    for (const auto& entry : Builtins()) names->push_back(entry.first);
    return names;
  }();
  return *names;
}

absl::StatusOr<Genotype> BuiltinGenotype(absl::string_view name) {
  const auto it = Builtins().find(name);
  if (it == Builtins().end()) {
    return absl::NotFoundError(
        absl::StrCat("no built-in genotype '", name, "'; built-in: ",
                     absl::StrJoin(BuiltinGenotypeNames(), ", ")));
  }
  return ParseDartsGenotype(it->second);
}

}  // namespace mdenas
