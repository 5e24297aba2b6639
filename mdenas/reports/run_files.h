// A run directory read back for the report and the TensorBoard log: each
// file parsed, and for each file that is missing or damaged a problem that
// names it, so a report shows what it can of a broken run.

#ifndef MDENAS_REPORTS_RUN_FILES_H_
#define MDENAS_REPORTS_RUN_FILES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mdenas/proto/run_result.pb.h"
#include "mdenas/reports/graphviz.h"

namespace mdenas {

// distribution.csv: every choice's probability after every epoch.
struct DistributionHistory {
  struct Decision {
    // The decision's values of the space's decision columns, e.g.
    // {"normal", "0", "2", "0"} or {"1<-0"}.
    std::vector<std::string> columns;
    std::vector<std::string> choices;
    // [epoch][choice], epochs in the order of `epochs`.
    std::vector<std::vector<double>> probability;
  };
  // The names of the decision columns, e.g. {"cell", "edge", "node", "input"}.
  std::vector<std::string> column_names;
  std::vector<int> epochs;
  std::vector<Decision> decisions;

  bool empty() const { return epochs.empty(); }
};

// distribution.csv as the search writes it: the error names the line and
// what is wrong there.
absl::StatusOr<DistributionHistory> ParseDistributionCsv(absl::string_view csv);

struct RunFiles {
  std::string path;
  // result.json; none where it is missing or damaged.
  std::optional<RunResult> result;
  // spec.textproto and architecture.dot as written; empty where missing.
  std::string spec;
  std::string architecture_dot;
  // architecture.dot laid out as SVG; empty where it cannot be.
  std::vector<Drawing> drawings;
  // distribution.csv (searches); empty for a retraining.
  DistributionHistory distribution;
  // One line per missing or damaged file: "result.json: ...".
  std::vector<std::string> problems;

  bool is_search() const { return result.has_value() && result->has_search_spec(); }
  // The epochs the run's spec asks for; 0 without result.json.
  int planned_epochs() const;
};

// Reads what `path` holds. Never fails: what cannot be read becomes a problem.
RunFiles ReadRunFiles(const std::string& path);

}  // namespace mdenas

#endif  // MDENAS_REPORTS_RUN_FILES_H_
