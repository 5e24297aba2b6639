// The multinomial distribution learner of MdeNAS (MDENAS_SPEC.md §2): one
// categorical distribution per decision of the search space (an edge of a
// cell, a block slot) over the decision's choices (operations, blocks), the
// statistics H^e (how long each choice was trained) and H^a (its latest
// validation accuracy), and the update that moves probability towards
// choices that reach higher accuracy with less training. It knows only
// how many decisions there are and how many choices each has: no libtorch,
// no search space. A path holds one choice index per decision.
//
// One search epoch with per-epoch sampling:
//   std::vector<int> path = learner.Sample(&rng);
//   ... train one epoch on `path`, validate it: `accuracy` ...
//   learner.RecordTraining(path);
//   learner.RecordAccuracy(path, accuracy);
//   learner.FinishEpoch();
//   learner.Update();

#ifndef MDENAS_LEARNER_MULTINOMIAL_LEARNER_H_
#define MDENAS_LEARNER_MULTINOMIAL_LEARNER_H_

#include <cstdint>
#include <random>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "mdenas/proto/learner_state.pb.h"

namespace mdenas {

enum class UpdateRule {
  // For each choice i of a decision, with ΔH^e_ij = H^e_i - H^e_j and
  // ΔH^a_ij = H^a_i - H^a_j:
  //   p_i += alpha * (#{j: ΔH^e_ij < 0 and ΔH^a_ij > 0}
  //                 - #{j: ΔH^e_ij > 0 and ΔH^a_ij < 0}).
  // Ties count for neither side. The paper's handling of probabilities that
  // fall below zero is not known: this implementation clamps them to zero
  // and renormalises (an implementation choice).
  kVectorClamp,
  // The authors' later code (XNAS CategoricalMDENAS.update): for each pair
  // i < j in turn, if i trained at least as long as j (>=) and is less
  // accurate, alpha of mass moves from i to j, or all of i's mass if it has
  // no more than alpha; and symmetrically. Later pairs see earlier moves.
  kPairwiseTransfer,
  // Ours, aimed at two weaknesses of the rules above: the choice trained
  // most can never gain, and accuracies measured in different epochs are
  // compared while the shared weights are still improving. Among the
  // choices whose H^a was measured in the latest finished epoch:
  //   p_i += alpha * (#{j: H^a_i > H^a_j} - #{j: H^a_i < H^a_j}),
  // H^e playing no part; choices not measured in that epoch neither move
  // nor count. Clamped and renormalised as kVectorClamp. With per-batch
  // sampling every choice of meaningful probability is validated each
  // epoch, so the comparison is within one epoch.
  kAccuracyRank,
};

struct LearnerOptions {
  // Distribution learning rate. Default 0.01 (the paper).
  double alpha = 0.01;
  UpdateRule rule = UpdateRule::kVectorClamp;
};

// The random generator of every sampling decision; its state is part of a
// search checkpoint.
using Rng = std::mt19937_64;

class MultinomialLearner {
 public:
  // One uniform distribution per decision d over choices[d] choices.
  MultinomialLearner(std::vector<int> choices, LearnerOptions options);

  int decisions() const { return static_cast<int>(choices_.size()); }
  int choices(int decision) const { return choices_[decision]; }
  const LearnerOptions& options() const { return options_; }

  // Draws one choice per decision independently from its distribution.
  std::vector<int> Sample(Rng* rng) const;

  // H^e += count for each (decision, path[decision]): the choices of `path`
  // were trained one more epoch (per-epoch sampling) or `count` more steps.
  void RecordTraining(absl::Span<const int> path, int64_t count = 1);

  // Records that `path` reached `accuracy` (%) on the validation split. The
  // accuracies recorded for a choice within one epoch are averaged.
  void RecordAccuracy(absl::Span<const int> path, double accuracy);

  // Ends the epoch: each choice with accuracies recorded in it takes their
  // mean as its H^a, replacing the older value; the others keep theirs.
  void FinishEpoch();
  // Whether H^a of the choice was measured in the latest finished epoch.
  bool accuracy_is_latest(int decision, int choice) const {
    return accuracy_is_latest_[decision][choice];
  }

  // Applies the update rule to every decision.
  void Update();

  const std::vector<double>& probabilities(int decision) const {
    return probabilities_[decision];
  }
  // Every decision's distribution, in decision order.
  const std::vector<std::vector<double>>& distributions() const {
    return probabilities_;
  }
  int64_t trained(int decision, int choice) const {
    return trained_[decision][choice];
  }
  double accuracy(int decision, int choice) const {
    return accuracy_[decision][choice];
  }

  // The mean over decisions of the distributions' entropy, in nats.
  double MeanEntropy() const;

  LearnerState ToProto() const;
  // Restores a state saved by ToProto; fails if its shape differs.
  absl::Status RestoreFrom(const LearnerState& state);

 private:
  void UpdateVectorClamp(int decision);
  void UpdatePairwiseTransfer(int decision);
  void UpdateAccuracyRank(int decision);
  // Clamps the decision's probabilities at zero and renormalises them.
  void ClampAndNormalize(int decision);

  std::vector<int> choices_;
  LearnerOptions options_;
  std::vector<std::vector<double>> probabilities_;
  std::vector<std::vector<int64_t>> trained_;
  std::vector<std::vector<double>> accuracy_;
  std::vector<std::vector<double>> pending_sum_;
  std::vector<std::vector<int64_t>> pending_count_;
  // vector<bool> would not give a reference per element.
  std::vector<std::vector<char>> accuracy_is_latest_;
};

}  // namespace mdenas

#endif  // MDENAS_LEARNER_MULTINOMIAL_LEARNER_H_
