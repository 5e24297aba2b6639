// The quantities of a run that change from epoch to epoch (EpochRecord's
// fields), named once for the report's charts and TensorBoard's scalars.

#ifndef MDENAS_REPORTS_EPOCH_CURVES_H_
#define MDENAS_REPORTS_EPOCH_CURVES_H_

#include <string>
#include <vector>

#include "mdenas/proto/run_result.pb.h"

namespace mdenas {

struct EpochCurve {
  // The report's chart that shows it, and its name there; curves of one
  // chart share its axes ("top-1 (%)": train, validation).
  std::string chart;
  std::string series;
  // TensorBoard's tag, e.g. "top1/train".
  std::string tag;
  bool (EpochRecord::*has)() const;
  double (EpochRecord::*get)() const;
};

// The curves of a search (with the distribution's entropy and p(none)) or
// of a retraining (where the measured accuracy is the test set's).
std::vector<EpochCurve> EpochCurves(bool search);

// `curve`'s value after every epoch of `result`, NaN where unset.
std::vector<double> CurveValues(const RunResult& result, const EpochCurve& curve);

}  // namespace mdenas

#endif  // MDENAS_REPORTS_EPOCH_CURVES_H_
