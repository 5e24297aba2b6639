// A run as TensorBoard shows it: its per-epoch curves as scalars (the
// report's, epoch_curves.h), each decision's distribution after every epoch
// as a histogram of choice indices (tag "p/<decision>"), and the
// architecture's drawings as images at the last epoch (tag
// "architecture/<part>"). Built whole from the run's files, so the same
// files give the same bytes, and a longer run extends a shorter one's.

#ifndef MDENAS_REPORTS_TENSORBOARD_LOG_H_
#define MDENAS_REPORTS_TENSORBOARD_LOG_H_

#include <string>

#include "absl/status/statusor.h"
#include "mdenas/reports/run_files.h"

namespace mdenas {

// The event file of `files`; what a missing or damaged file would have
// given is left out (the report lists those problems).
absl::StatusOr<std::string> TensorBoardLog(const RunFiles& files);

}  // namespace mdenas

#endif  // MDENAS_REPORTS_TENSORBOARD_LOG_H_
