// Kendall's rank correlation, the measure of the performance-ranking
// hypothesis (MDENAS_SPEC.md §5): tau = (P - Q) / (P + Q) over all pairs,
// P concordant and Q discordant; pairs tied in either ranking count for
// neither. p_tau = (tau + 1) / 2 is the probability that a pair is ordered
// the same way by both.

#ifndef MDENAS_EVAL_KENDALL_TAU_H_
#define MDENAS_EVAL_KENDALL_TAU_H_

#include <vector>

#include "absl/types/span.h"

namespace mdenas {

// Kendall's tau of two equally long score lists (higher is better); 0 when
// no pair is untied in both.
double KendallTau(absl::Span<const double> a, absl::Span<const double> b);

inline double ConcordanceProbability(double tau) { return (tau + 1) / 2; }

// For accuracy[a][e], architecture a's accuracy after epoch e (all
// architectures trained equally long): the tau between the ranking after
// each epoch and the ranking after the last one.
std::vector<double> TauAgainstLastEpoch(
    const std::vector<std::vector<double>>& accuracy);

// The same against a ranking from elsewhere: `reference[a]`, architecture
// a's score there (a benchmark's known accuracy).
std::vector<double> TauOfEachEpoch(const std::vector<std::vector<double>>& accuracy,
                                   absl::Span<const double> reference);

}  // namespace mdenas

#endif  // MDENAS_EVAL_KENDALL_TAU_H_
