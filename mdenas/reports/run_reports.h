// What a run directory shows people, rebuilt from its files: report.html
// (html_report.h) and TensorBoard's event file (tensorboard_log.h). The
// training loop calls it after every epoch's results, //mdenas:report on
// demand.

#ifndef MDENAS_REPORTS_RUN_REPORTS_H_
#define MDENAS_REPORTS_RUN_REPORTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mdenas {

// Writes report.html (replaced atomically) and the event file of the run
// in `path`. The event file is extended in place when it holds the start of
// the new one, as TensorBoard follows a growing file, and replaced
// atomically otherwise (a resumed run that had gone further, a damaged
// file). Returns the problems with the run's files that the report lists
// (RunFiles::problems); fails only if a file cannot be written.
absl::StatusOr<std::vector<std::string>> WriteRunReports(const std::string& path);

}  // namespace mdenas

#endif  // MDENAS_REPORTS_RUN_REPORTS_H_
