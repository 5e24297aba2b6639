#include "mdenas/reports/run_reports.h"

#include "absl/strings/match.h"
#include "mdenas/base/file.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/reports/html_report.h"
#include "mdenas/reports/run_files.h"
#include "mdenas/reports/tensorboard_log.h"
#include "mdenas/run/run_directory.h"
#include "mdenas/tensorboard/event_file.h"

namespace mdenas {

absl::StatusOr<std::vector<std::string>> WriteRunReports(const std::string& path) {
  const RunFiles files = ReadRunFiles(path);
  MDENAS_RETURN_IF_ERROR(WriteFileAtomically(JoinPath(path, kReportFile), HtmlReport(files)));

  MDENAS_ASSIGN_OR_RETURN(const std::string events, TensorBoardLog(files));
  const std::string event_file = JoinPath(path, tensorboard::kEventFileName);
  if (PathExists(event_file)) {
    const absl::StatusOr<std::string> written = ReadFile(event_file);
    if (written.ok() && !written->empty() && absl::StartsWith(events, *written)) {
      MDENAS_RETURN_IF_ERROR(
          AppendToFile(event_file, absl::string_view(events).substr(written->size())));
      return files.problems;
    }
  }
  MDENAS_RETURN_IF_ERROR(WriteFileAtomically(event_file, events));
  return files.problems;
}

}  // namespace mdenas
