// //mdenas:report: rebuilds report.html and the TensorBoard event file of a
// run directory from its files (a search or retraining writes both after
// every epoch; this is for older runs, or after a file was mended).
//
//   bazel run //mdenas:report -- --run=runs/20261207-101500
//
// A missing or damaged file is named, on the terminal and in the report,
// which shows the rest; the exit status is then 1.

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "mdenas/base/command_line.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/reports/run_reports.h"
#include "mdenas/run/run_directory.h"

ABSL_FLAG(std::string, run, "", "The run directory of a search or a retraining.");

namespace mdenas {
namespace {

// The number of problems with the run's files, each printed.
absl::StatusOr<int> Main(int positional_arguments) {
  if (positional_arguments > 0) {
    return absl::InvalidArgumentError("unexpected arguments: name the run with --run=DIR");
  }
  const std::string flag = absl::GetFlag(FLAGS_run);
  if (flag.empty()) return absl::InvalidArgumentError("flag --run: a run directory is required");
  const std::string path = UserPath(flag);
  if (!IsDirectory(path)) {
    return absl::NotFoundError(absl::StrCat("flag --run: ", path, " is not a directory"));
  }
  if (!PathExists(JoinPath(path, kSpecFile)) && !PathExists(JoinPath(path, kResultFile))) {
    return absl::InvalidArgumentError(absl::StrCat("flag --run: ", path, " holds neither ",
                                                   kSpecFile, " nor ", kResultFile,
                                                   ": not a run directory"));
  }
  MDENAS_ASSIGN_OR_RETURN(const std::vector<std::string> problems, WriteRunReports(path));
  for (const std::string& problem : problems) {
    std::cerr << "problem: " << JoinPath(path, problem) << "\n";
  }
  std::cout << JoinPath(path, kReportFile) << "\n";
  return static_cast<int>(problems.size());
}

}  // namespace
}  // namespace mdenas

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Rebuilds report.html and the TensorBoard event file of a run directory.");
  const int positional = static_cast<int>(mdenas::ParseCommandLine(argc, argv).size()) - 1;
  const absl::StatusOr<int> problems = mdenas::Main(positional);
  if (!problems.ok()) {
    std::cerr << "error: " << problems.status().message() << "\n";
    return 2;
  }
  return *problems > 0 ? 1 : 0;
}
