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

// One row per decision, of as many entries as it has choices.
template <typename T>
std::vector<std::vector<T>> Rows(const std::vector<int>& choices, T value) {
  std::vector<std::vector<T>> rows;
  rows.reserve(choices.size());
  for (int count : choices) rows.emplace_back(count, value);
  return rows;
}

std::vector<std::vector<double>> Uniform(const std::vector<int>& choices) {
  std::vector<std::vector<double>> rows;
  rows.reserve(choices.size());
  for (int count : choices) rows.emplace_back(count, 1.0 / count);
  return rows;
}

}  // namespace

MultinomialLearner::MultinomialLearner(std::vector<int> choices,
                                       LearnerOptions options)
    : choices_(std::move(choices)),
      options_(options),
      probabilities_(Uniform(choices_)),
      trained_(Rows<int64_t>(choices_, 0)),
      accuracy_(Rows<double>(choices_, 0.0)),
      pending_sum_(Rows<double>(choices_, 0.0)),
      pending_count_(Rows<int64_t>(choices_, 0)),
      accuracy_is_latest_(Rows<char>(choices_, false)) {}

std::vector<int> MultinomialLearner::Sample(Rng* rng) const {
  std::vector<int> path(probabilities_.size());
  for (size_t decision = 0; decision < probabilities_.size(); ++decision) {
    const std::vector<double>& p = probabilities_[decision];
    const double target = UniformDouble(rng);
    double cumulative = 0.0;
    int picked = -1;
    for (int choice = 0; choice < choices_[decision]; ++choice) {
      if (p[choice] <= 0.0) continue;
      picked = choice;  // The last choice with mass absorbs rounding.
      cumulative += p[choice];
      if (target < cumulative) break;
    }
    path[decision] = picked;
  }
  return path;
}

void MultinomialLearner::RecordTraining(absl::Span<const int> path,
                                        int64_t count) {
  for (size_t decision = 0; decision < path.size(); ++decision) {
    trained_[decision][path[decision]] += count;
  }
}

void MultinomialLearner::RecordAccuracy(absl::Span<const int> path,
                                        double accuracy) {
  for (size_t decision = 0; decision < path.size(); ++decision) {
    pending_sum_[decision][path[decision]] += accuracy;
    ++pending_count_[decision][path[decision]];
  }
}

void MultinomialLearner::FinishEpoch() {
  for (int decision = 0; decision < decisions(); ++decision) {
    for (int choice = 0; choice < choices_[decision]; ++choice) {
      accuracy_is_latest_[decision][choice] = pending_count_[decision][choice] > 0;
      if (pending_count_[decision][choice] == 0) continue;
      accuracy_[decision][choice] = pending_sum_[decision][choice] /
                                    static_cast<double>(pending_count_[decision][choice]);
      pending_sum_[decision][choice] = 0.0;
      pending_count_[decision][choice] = 0;
    }
  }
}

void MultinomialLearner::Update() {
  for (int decision = 0; decision < decisions(); ++decision) {
    switch (options_.rule) {
      case UpdateRule::kVectorClamp:
        UpdateVectorClamp(decision);
        break;
      case UpdateRule::kPairwiseTransfer:
        UpdatePairwiseTransfer(decision);
        break;
      case UpdateRule::kAccuracyRank:
        UpdateAccuracyRank(decision);
        break;
    }
  }
}

void MultinomialLearner::UpdateVectorClamp(int decision) {
  const std::vector<int64_t>& trained = trained_[decision];
  const std::vector<double>& accuracy = accuracy_[decision];
  std::vector<double>& p = probabilities_[decision];
  for (int i = 0; i < choices_[decision]; ++i) {
    int wins = 0;
    int losses = 0;
    for (int j = 0; j < choices_[decision]; ++j) {
      if (trained[i] < trained[j] && accuracy[i] > accuracy[j]) ++wins;
      if (trained[i] > trained[j] && accuracy[i] < accuracy[j]) ++losses;
    }
    p[i] += options_.alpha * (wins - losses);
  }
  ClampAndNormalize(decision);
}

void MultinomialLearner::UpdateAccuracyRank(int decision) {
  const std::vector<double>& accuracy = accuracy_[decision];
  const std::vector<char>& latest = accuracy_is_latest_[decision];
  std::vector<double>& p = probabilities_[decision];
  for (int i = 0; i < choices_[decision]; ++i) {
    if (!latest[i]) continue;
    int wins = 0;
    int losses = 0;
    for (int j = 0; j < choices_[decision]; ++j) {
      if (!latest[j]) continue;
      if (accuracy[i] > accuracy[j]) ++wins;
      if (accuracy[i] < accuracy[j]) ++losses;
    }
    p[i] += options_.alpha * (wins - losses);
  }
  ClampAndNormalize(decision);
}

void MultinomialLearner::ClampAndNormalize(int decision) {
  std::vector<double>& p = probabilities_[decision];
  // The moves sum to zero, so only clamping can change the total.
  for (double& value : p) value = std::max(value, 0.0);
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  for (double& value : p) value /= total;
}

void MultinomialLearner::UpdatePairwiseTransfer(int decision) {
  const std::vector<int64_t>& trained = trained_[decision];
  const std::vector<double>& accuracy = accuracy_[decision];
  std::vector<double>& p = probabilities_[decision];
  const double alpha = options_.alpha;
  // Moves alpha of mass (or all the loser has) from `loser` to `winner`.
  auto transfer = [&](int loser, int winner) {
    const double amount = p[loser] > alpha ? alpha : p[loser];
    p[loser] -= amount;
    p[winner] += amount;
  };
  for (int i = 0; i < choices_[decision]; ++i) {
    for (int j = i + 1; j < choices_[decision]; ++j) {
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
  for (int decision = 0; decision < decisions(); ++decision) {
    LearnerState::Decision* out = state.add_decisions();
    for (int choice = 0; choice < choices_[decision]; ++choice) {
      out->add_probability(probabilities_[decision][choice]);
      out->add_trained(trained_[decision][choice]);
      out->add_accuracy(accuracy_[decision][choice]);
      out->add_pending_accuracy_sum(pending_sum_[decision][choice]);
      out->add_pending_accuracy_count(pending_count_[decision][choice]);
      out->add_accuracy_is_latest(accuracy_is_latest_[decision][choice]);
    }
  }
  return state;
}

absl::Status MultinomialLearner::RestoreFrom(const LearnerState& state) {
  if (state.decisions_size() != decisions()) {
    return absl::InvalidArgumentError(
        absl::StrCat("learner state has ", state.decisions_size(),
                     " decisions; this search has ", decisions()));
  }
  for (int decision = 0; decision < decisions(); ++decision) {
    const LearnerState::Decision& in = state.decisions(decision);
    if (in.probability_size() != choices_[decision] ||
        in.trained_size() != choices_[decision] ||
        in.accuracy_size() != choices_[decision] ||
        in.pending_accuracy_sum_size() != choices_[decision] ||
        in.pending_accuracy_count_size() != choices_[decision] ||
        (in.accuracy_is_latest_size() != choices_[decision] &&
         in.accuracy_is_latest_size() != 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("learner state, decision ", decision, ": expected ",
                       choices_[decision], " values per statistic"));
    }
    double total = 0.0;
    for (int choice = 0; choice < choices_[decision]; ++choice) {
      const double p = in.probability(choice);
      if (!std::isfinite(p) || p < 0.0 || in.trained(choice) < 0 ||
          !std::isfinite(in.accuracy(choice)) ||
          !std::isfinite(in.pending_accuracy_sum(choice)) ||
          in.pending_accuracy_count(choice) < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "learner state, decision ", decision, ", choice ", choice,
            ": a probability, count or accuracy is negative or not finite"));
      }
      total += p;
    }
    if (std::abs(total - 1.0) > 1e-6) {
      return absl::InvalidArgumentError(absl::StrCat(
          "learner state, decision ", decision, ": probabilities sum to ", total));
    }
  }
  for (int decision = 0; decision < decisions(); ++decision) {
    const LearnerState::Decision& in = state.decisions(decision);
    for (int choice = 0; choice < choices_[decision]; ++choice) {
      probabilities_[decision][choice] = in.probability(choice);
      trained_[decision][choice] = in.trained(choice);
      accuracy_[decision][choice] = in.accuracy(choice);
      pending_sum_[decision][choice] = in.pending_accuracy_sum(choice);
      pending_count_[decision][choice] = in.pending_accuracy_count(choice);
      accuracy_is_latest_[decision][choice] =
          in.accuracy_is_latest_size() > 0 && in.accuracy_is_latest(choice);
    }
  }
  return absl::OkStatus();
}

}  // namespace mdenas
