#include "mdenas/reports/tensorboard_log.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/reports/epoch_curves.h"
#include "mdenas/reports/graphviz.h"
#include "mdenas/tensorboard/event_file.h"

namespace mdenas {

absl::StatusOr<std::string> TensorBoardLog(const RunFiles& files) {
  const RunResult empty;
  const RunResult& result = files.result.has_value() ? *files.result : empty;
  // Events are stamped with when their epoch finished; the file with when
  // the first epoch started.
  const double start = result.epochs().empty()
                           ? 0
                           : result.epochs(0).finished_unix_seconds() - result.epochs(0).seconds();
  tensorboard::EventFile events(start);

  // Epoch by epoch, so that the file of a longer run begins with the file
  // of the same run stopped earlier.
  const std::vector<EpochCurve> curves = EpochCurves(files.is_search());
  std::vector<std::vector<double>> values;
  for (const EpochCurve& curve : curves) values.push_back(CurveValues(result, curve));
  const DistributionHistory& history = files.distribution;
  for (int e = 0; e < result.epochs_size(); ++e) {
    const EpochRecord& record = result.epochs(e);
    const double wall_time = record.finished_unix_seconds();
    for (size_t c = 0; c < curves.size(); ++c) {
      if (std::isnan(values[c][e])) continue;
      events.AddScalar(curves[c].tag, record.epoch(), wall_time, static_cast<float>(values[c][e]));
    }
    const auto at = std::find(history.epochs.begin(), history.epochs.end(), record.epoch());
    if (at == history.epochs.end()) continue;
    for (const DistributionHistory::Decision& decision : history.decisions) {
      MDENAS_RETURN_IF_ERROR(events.AddDistribution(
          absl::StrCat("p/", absl::StrJoin(decision.columns, "_")), record.epoch(), wall_time,
          decision.probability[at - history.epochs.begin()]));
    }
  }
  // The drawings once, when the run is complete: the architecture of an
  // unfinished search still changes.
  if (!files.architecture_dot.empty() && !result.epochs().empty() &&
      result.epochs_size() == files.planned_epochs()) {
    absl::StatusOr<std::vector<Drawing>> drawings =
        LayOutGraphs(files.architecture_dot, DrawingFormat::kPng);
    if (drawings.ok()) {
      const EpochRecord& last = *result.epochs().rbegin();
      for (Drawing& drawing : *drawings) {
        MDENAS_RETURN_IF_ERROR(events.AddImage(absl::StrCat("architecture/", drawing.name),
                                               last.epoch(), last.finished_unix_seconds(),
                                               std::move(drawing.image)));
      }
    }
  }
  return events.bytes();
}

}  // namespace mdenas
