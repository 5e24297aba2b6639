#include "eval/kendall_tau.h"

#include <cstdint>

namespace mdenas {

double KendallTau(absl::Span<const double> a, absl::Span<const double> b) {
  int64_t concordant = 0;
  int64_t discordant = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = i + 1; j < a.size(); ++j) {
      const double product = (a[i] - a[j]) * (b[i] - b[j]);
      if (product > 0) ++concordant;
      if (product < 0) ++discordant;
    }
  }
  const int64_t counted = concordant + discordant;
  return counted == 0 ? 0.0
                      : static_cast<double>(concordant - discordant) / counted;
}

std::vector<double> TauAgainstLastEpoch(
    const std::vector<std::vector<double>>& accuracy) {
  if (accuracy.empty()) return {};
  std::vector<double> last;
  for (const std::vector<double>& row : accuracy) last.push_back(row.back());
  return TauOfEachEpoch(accuracy, last);
}

std::vector<double> TauOfEachEpoch(const std::vector<std::vector<double>>& accuracy,
                                   absl::Span<const double> reference) {
  if (accuracy.empty()) return {};
  const size_t epochs = accuracy[0].size();
  std::vector<double> taus;
  for (size_t e = 0; e < epochs; ++e) {
    std::vector<double> at_epoch;
    for (const std::vector<double>& row : accuracy) at_epoch.push_back(row[e]);
    taus.push_back(KendallTau(at_epoch, reference));
  }
  return taus;
}

}  // namespace mdenas
