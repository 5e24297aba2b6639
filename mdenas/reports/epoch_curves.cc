#include "mdenas/reports/epoch_curves.h"

#include <cmath>

namespace mdenas {

std::vector<EpochCurve> EpochCurves(bool search) {
  using R = EpochRecord;
  std::vector<EpochCurve> curves = {
      {"top-1 (%)", "train", "top1/train", &R::has_train_top1, &R::train_top1},
      search ? EpochCurve{"top-1 (%)", "validation", "top1/validation", &R::has_valid_top1,
                          &R::valid_top1}
             : EpochCurve{"top-1 (%)", "test", "top1/test", &R::has_valid_top1, &R::valid_top1},
      {"training loss", "train", "loss/train", &R::has_train_loss, &R::train_loss},
      {"learning rate", "learning rate", "learning_rate", &R::has_learning_rate, &R::learning_rate},
  };
  if (search) {
    curves.push_back({"mean entropy (nats)", "entropy", "distribution/mean_entropy",
                      &R::has_mean_entropy, &R::mean_entropy});
    curves.push_back({"mean p(none)", "p(none)", "distribution/mean_none_probability",
                      &R::has_mean_none_probability, &R::mean_none_probability});
  }
  curves.push_back(
      {"seconds per epoch", "seconds", "time/seconds_per_epoch", &R::has_seconds, &R::seconds});
  curves.push_back({"training images/s", "images/s", "time/images_per_second",
                    &R::has_images_per_second, &R::images_per_second});
  return curves;
}

std::vector<double> CurveValues(const RunResult& result, const EpochCurve& curve) {
  std::vector<double> values;
  for (const EpochRecord& record : result.epochs()) {
    values.push_back((record.*curve.has)() ? (record.*curve.get)() : NAN);
  }
  return values;
}

}  // namespace mdenas
