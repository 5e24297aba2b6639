#include "mdenas/reports/run_files.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "mdenas/base/file.h"
#include "mdenas/run/run_directory.h"

namespace mdenas {
namespace {

// distribution.csv's columns after the decision columns: the choice's
// name, then these.
constexpr int kChoiceColumnsAfter = 3;  // p, trained, accuracy

absl::Status LineError(int line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", what));
}

}  // namespace

absl::StatusOr<DistributionHistory> ParseDistributionCsv(absl::string_view csv) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(csv), '\n');
  const std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  // epoch, the decision columns, the choice, p, trained, accuracy.
  const int decision_columns = static_cast<int>(header.size()) - 2 - kChoiceColumnsAfter;
  if (header[0] != "epoch" || decision_columns < 1 ||
      header[header.size() - kChoiceColumnsAfter] != "p") {
    return LineError(1, "the header is not epoch,<decision columns>,<choice>,p,trained,accuracy");
  }
  DistributionHistory history;
  history.column_names.assign(header.begin() + 1, header.begin() + 1 + decision_columns);
  int decision = 0;
  for (int i = 1; i < static_cast<int>(lines.size()); ++i) {
    const int line = i + 1;
    const std::vector<std::string> fields = absl::StrSplit(lines[i], ',');
    if (fields.size() != header.size()) {
      return LineError(line,
                       absl::StrCat(fields.size(), " fields where the header has ", header.size()));
    }
    int epoch = 0;
    double p = 0;
    if (!absl::SimpleAtoi(fields[0], &epoch) || epoch < 1) {
      return LineError(line, absl::StrCat("epoch '", fields[0], "' is not a positive integer"));
    }
    const std::string& p_field = fields[fields.size() - kChoiceColumnsAfter];
    if (!absl::SimpleAtod(p_field, &p) || !(p >= 0 && p <= 1)) {
      return LineError(line, absl::StrCat("p '", p_field, "' is not a probability"));
    }
    const std::vector<std::string> columns(fields.begin() + 1,
                                           fields.begin() + 1 + decision_columns);
    const std::string& choice = fields[1 + decision_columns];

    if (history.epochs.empty() || epoch != history.epochs.back()) {
      if (!history.epochs.empty() && epoch <= history.epochs.back()) {
        return LineError(line,
                         absl::StrCat("epoch ", epoch, " after epoch ", history.epochs.back()));
      }
      if (history.epochs.size() > 1 && decision != static_cast<int>(history.decisions.size())) {
        return LineError(line,
                         absl::StrCat("epoch ", history.epochs.back(), " has ", decision,
                                      " decisions, the first epoch ", history.decisions.size()));
      }
      history.epochs.push_back(epoch);
      decision = 0;
    }
    const bool first_epoch = history.epochs.size() == 1;
    // A new decision starts with a change of the decision columns.
    const bool same_decision = decision > 0 && history.decisions[decision - 1].columns == columns;
    if (!same_decision) {
      if (first_epoch) {
        history.decisions.push_back({columns, {}, {}});
      } else if (decision >= static_cast<int>(history.decisions.size()) ||
                 history.decisions[decision].columns != columns) {
        return LineError(line, "the decisions differ from the first epoch's");
      }
      history.decisions[decision].probability.emplace_back();
      ++decision;
    }
    DistributionHistory::Decision& current = history.decisions[decision - 1];
    std::vector<double>& probabilities = current.probability.back();
    if (first_epoch) {
      current.choices.push_back(choice);
    } else if (probabilities.size() >= current.choices.size() ||
               current.choices[probabilities.size()] != choice) {
      return LineError(line,
                       absl::StrCat("choice '", choice, "' is not where the first epoch has it"));
    }
    probabilities.push_back(p);
  }
  if (history.epochs.empty()) return LineError(2, "no rows");
  if (decision != static_cast<int>(history.decisions.size())) {
    return LineError(static_cast<int>(lines.size()),
                     absl::StrCat("the last epoch has ", decision, " decisions, the first ",
                                  history.decisions.size()));
  }
  for (const DistributionHistory::Decision& d : history.decisions) {
    if (d.probability.back().size() != d.choices.size()) {
      return LineError(static_cast<int>(lines.size()), "the last epoch ends within a decision");
    }
  }
  return history;
}

int RunFiles::planned_epochs() const {
  if (!result.has_value()) return 0;
  return is_search() ? result->search_spec().epochs() : result->eval_spec().epochs();
}

RunFiles ReadRunFiles(const std::string& path) {
  RunFiles files;
  files.path = path;
  const auto read = [&](const char* name, bool required) -> std::optional<std::string> {
    const std::string file = JoinPath(path, name);
    if (!PathExists(file)) {
      if (required) files.problems.push_back(absl::StrCat(name, ": missing"));
      return std::nullopt;
    }
    absl::StatusOr<std::string> contents = ReadFile(file);
    if (!contents.ok()) {
      files.problems.push_back(absl::StrCat(name, ": ", contents.status().message()));
      return std::nullopt;
    }
    return *std::move(contents);
  };

  if (std::optional<std::string> spec = read(kSpecFile, true)) files.spec = *std::move(spec);
  if (std::optional<std::string> json = read(kResultFile, true)) {
    RunResult result;
    const auto status = google::protobuf::util::JsonStringToMessage(*json, &result);
    if (status.ok()) {
      files.result = std::move(result);
    } else {
      files.problems.push_back(
          absl::StrCat(kResultFile, ": not a RunResult in JSON: ", std::string(status.message())));
    }
  }
  if (std::optional<std::string> dot = read(kArchitectureDotFile, true)) {
    files.architecture_dot = *std::move(dot);
    absl::StatusOr<std::vector<Drawing>> drawings =
        LayOutGraphs(files.architecture_dot, DrawingFormat::kSvg);
    if (drawings.ok()) {
      files.drawings = *std::move(drawings);
    } else {
      files.problems.push_back(
          absl::StrCat(kArchitectureDotFile, ": ", drawings.status().message()));
    }
  }
  // Searches write one; where result.json cannot tell, whatever is there.
  if (std::optional<std::string> csv = read(kDistributionFile, files.is_search())) {
    absl::StatusOr<DistributionHistory> history = ParseDistributionCsv(*csv);
    if (history.ok()) {
      files.distribution = *std::move(history);
    } else {
      files.problems.push_back(absl::StrCat(kDistributionFile, ": ", history.status().message()));
    }
  }
  return files;
}

}  // namespace mdenas
