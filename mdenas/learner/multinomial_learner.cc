#include "mdenas/learner/multinomial_learner.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace mdenas {
namespace {

// A uniform double in [0, 1) from the top 53 bits: the same sequence on
// every platform, unlike std::uniform_real_distribution.
double UniformDouble(Rng* rng) {
  return static_cast<double>((*rng)() >> 11) * 0x1.0p-53;
}

template <typename T>
std::vector<std::vector<T>> Matrix(int rows, int columns, T value) {
  return std::vector<std::vector<T>>(rows, std::vector<T>(columns, value));
}

}  // namespace

MultinomialLearner::MultinomialLearner(int edges, int operations,
                                       LearnerOptions options)
    : operations_(operations),
      options_(options),
      probabilities_(Matrix<double>(edges, operations, 1.0 / operations)),
      trained_(Matrix<int64_t>(edges, operations, 0)),
      accuracy_(Matrix<double>(edges, operations, 0.0)),
      pending_sum_(Matrix<double>(edges, operations, 0.0)),
      pending_count_(Matrix<int64_t>(edges, operations, 0)) {}

std::vector<int> MultinomialLearner::Sample(Rng* rng) const {
  std::vector<int> path(probabilities_.size());
  for (size_t edge = 0; edge < probabilities_.size(); ++edge) {
    const std::vector<double>& p = probabilities_[edge];
    const double target = UniformDouble(rng);
    double cumulative = 0.0;
    int choice = -1;
    for (int op = 0; op < operations_; ++op) {
      if (p[op] <= 0.0) continue;
      choice = op;  // The last operation with mass absorbs rounding.
      cumulative += p[op];
      if (target < cumulative) break;
    }
    path[edge] = choice;
  }
  return path;
}

void MultinomialLearner::RecordTraining(absl::Span<const int> path,
                                        int64_t count) {
  for (size_t edge = 0; edge < path.size(); ++edge) {
    trained_[edge][path[edge]] += count;
  }
}

void MultinomialLearner::RecordAccuracy(absl::Span<const int> path,
                                        double accuracy) {
  for (size_t edge = 0; edge < path.size(); ++edge) {
    pending_sum_[edge][path[edge]] += accuracy;
    ++pending_count_[edge][path[edge]];
  }
}

void MultinomialLearner::FinishEpoch() {
  for (int edge = 0; edge < edges(); ++edge) {
    for (int op = 0; op < operations_; ++op) {
      if (pending_count_[edge][op] == 0) continue;
      accuracy_[edge][op] =
          pending_sum_[edge][op] / static_cast<double>(pending_count_[edge][op]);
      pending_sum_[edge][op] = 0.0;
      pending_count_[edge][op] = 0;
    }
  }
}

void MultinomialLearner::Update() {
  for (int edge = 0; edge < edges(); ++edge) {
    if (options_.rule == UpdateRule::kVectorClamp) {
      UpdateVectorClamp(edge);
    } else {
      UpdatePairwiseTransfer(edge);
    }
  }
}

void MultinomialLearner::UpdateVectorClamp(int edge) {
  const std::vector<int64_t>& trained = trained_[edge];
  const std::vector<double>& accuracy = accuracy_[edge];
  std::vector<double>& p = probabilities_[edge];
  for (int i = 0; i < operations_; ++i) {
    int wins = 0;
    int losses = 0;
    for (int j = 0; j < operations_; ++j) {
      if (trained[i] < trained[j] && accuracy[i] > accuracy[j]) ++wins;
      if (trained[i] > trained[j] && accuracy[i] < accuracy[j]) ++losses;
    }
    p[i] += options_.alpha * (wins - losses);
  }
  // The moves sum to zero, so only clamping can change the total.
  for (double& value : p) value = std::max(value, 0.0);
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  for (double& value : p) value /= total;
}

void MultinomialLearner::UpdatePairwiseTransfer(int edge) {
  const std::vector<int64_t>& trained = trained_[edge];
  const std::vector<double>& accuracy = accuracy_[edge];
  std::vector<double>& p = probabilities_[edge];
  const double alpha = options_.alpha;
  // Moves alpha of mass (or all the loser has) from `loser` to `winner`.
  auto transfer = [&](int loser, int winner) {
    const double amount = p[loser] > alpha ? alpha : p[loser];
    p[loser] -= amount;
    p[winner] += amount;
  };
  for (int i = 0; i < operations_; ++i) {
    for (int j = i + 1; j < operations_; ++j) {
      if (trained[i] >= trained[j] && accuracy[i] < accuracy[j]) {
        transfer(i, j);
      }
      if (trained[i] <= trained[j] && accuracy[i] > accuracy[j]) {
        transfer(j, i);
      }
    }
  }
}

double MultinomialLearner::MeanEntropy() const {
  double total = 0.0;
  for (const std::vector<double>& p : probabilities_) {
    for (double value : p) {
      if (value > 0.0) total -= value * std::log(value);
    }
  }
  return probabilities_.empty() ? 0.0 : total / probabilities_.size();
}

LearnerState MultinomialLearner::ToProto() const {
  LearnerState state;
  for (int edge = 0; edge < edges(); ++edge) {
    LearnerState::Edge* out = state.add_edges();
    for (int op = 0; op < operations_; ++op) {
      out->add_probability(probabilities_[edge][op]);
      out->add_trained(trained_[edge][op]);
      out->add_accuracy(accuracy_[edge][op]);
      out->add_pending_accuracy_sum(pending_sum_[edge][op]);
      out->add_pending_accuracy_count(pending_count_[edge][op]);
    }
  }
  return state;
}

absl::Status MultinomialLearner::RestoreFrom(const LearnerState& state) {
  if (state.edges_size() != edges()) {
    return absl::InvalidArgumentError(
        absl::StrCat("learner state has ", state.edges_size(),
                     " edges; this search has ", edges()));
  }
  for (int edge = 0; edge < edges(); ++edge) {
    const LearnerState::Edge& in = state.edges(edge);
    if (in.probability_size() != operations_ ||
        in.trained_size() != operations_ ||
        in.accuracy_size() != operations_ ||
        in.pending_accuracy_sum_size() != operations_ ||
        in.pending_accuracy_count_size() != operations_) {
      return absl::InvalidArgumentError(
          absl::StrCat("learner state, edge ", edge, ": expected ",
                       operations_, " values per statistic"));
    }
    double total = 0.0;
    for (int op = 0; op < operations_; ++op) {
      const double p = in.probability(op);
      if (!std::isfinite(p) || p < 0.0 || in.trained(op) < 0 ||
          !std::isfinite(in.accuracy(op)) ||
          !std::isfinite(in.pending_accuracy_sum(op)) ||
          in.pending_accuracy_count(op) < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "learner state, edge ", edge, ", operation ", op,
            ": a probability, count or accuracy is negative or not finite"));
      }
      total += p;
    }
    if (std::abs(total - 1.0) > 1e-6) {
      return absl::InvalidArgumentError(absl::StrCat(
          "learner state, edge ", edge, ": probabilities sum to ", total));
    }
  }
  for (int edge = 0; edge < edges(); ++edge) {
    const LearnerState::Edge& in = state.edges(edge);
    for (int op = 0; op < operations_; ++op) {
      probabilities_[edge][op] = in.probability(op);
      trained_[edge][op] = in.trained(op);
      accuracy_[edge][op] = in.accuracy(op);
      pending_sum_[edge][op] = in.pending_accuracy_sum(op);
      pending_count_[edge][op] = in.pending_accuracy_count(op);
    }
  }
  return absl::OkStatus();
}

}  // namespace mdenas
