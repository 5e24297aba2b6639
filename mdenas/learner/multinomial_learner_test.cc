#include "mdenas/learner/multinomial_learner.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A one-decision learner whose choice i was trained `trained[i]` epochs and
// last reached `accuracy[i]`.
MultinomialLearner OneDecision(const std::vector<int64_t>& trained,
                           const std::vector<double>& accuracy,
                           LearnerOptions options) {
  const int ops = static_cast<int>(trained.size());
  MultinomialLearner learner(std::vector<int>(1, ops), options);
  for (int op = 0; op < ops; ++op) {
    const std::vector<int> path = {op};
    learner.RecordTraining(path, trained[op]);
    if (trained[op] > 0) learner.RecordAccuracy(path, accuracy[op]);
  }
  learner.FinishEpoch();
  return learner;
}

TEST(MultinomialLearnerTest, StartsUniform) {
  MultinomialLearner learner(std::vector<int>(28, 8), {});
  ASSERT_EQ(learner.decisions(), 28);
  for (int decision = 0; decision < 28; ++decision) {
    for (double p : learner.probabilities(decision)) EXPECT_DOUBLE_EQ(p, 0.125);
  }
  EXPECT_NEAR(learner.MeanEntropy(), std::log(8.0), 1e-12);
}

// Decisions need not have the same number of choices: a path picks within
// each decision's own, and the state keeps each decision's shape.
TEST(MultinomialLearnerTest, DecisionsWithDifferentChoiceCounts) {
  MultinomialLearner learner({2, 5, 3}, {.alpha = 0.1});
  EXPECT_EQ(learner.choices(1), 5);
  EXPECT_THAT(learner.probabilities(0), ElementsAre(0.5, 0.5));
  EXPECT_THAT(learner.probabilities(2),
              ElementsAre(DoubleNear(1.0 / 3, 1e-12), DoubleNear(1.0 / 3, 1e-12),
                          DoubleNear(1.0 / 3, 1e-12)));
  EXPECT_NEAR(learner.MeanEntropy(), (std::log(2.0) + std::log(5.0) + std::log(3.0)) / 3,
              1e-12);
  Rng rng(3);
  for (int draw = 0; draw < 1000; ++draw) {
    const std::vector<int> path = learner.Sample(&rng);
    ASSERT_EQ(path.size(), 3u);
    for (int decision = 0; decision < 3; ++decision) {
      EXPECT_GE(path[decision], 0);
      EXPECT_LT(path[decision], learner.choices(decision));
    }
  }
  learner.RecordTraining(std::vector<int>{0, 4, 2});
  learner.RecordAccuracy(std::vector<int>{0, 4, 2}, 50);
  learner.FinishEpoch();
  learner.RecordTraining(std::vector<int>{1, 3, 2});
  learner.RecordAccuracy(std::vector<int>{1, 3, 2}, 60);
  learner.FinishEpoch();
  learner.Update();
  // Decision 1: choice 4 (trained 1, 50%) against choice 3 (trained 1,
  // 60%): equal training says nothing. Decision 2: one choice, 60% now.
  EXPECT_THAT(learner.probabilities(1), ElementsAre(0.2, 0.2, 0.2, 0.2, 0.2));
  EXPECT_DOUBLE_EQ(learner.accuracy(2, 2), 60);
  MultinomialLearner restored({2, 5, 3}, {});
  ASSERT_TRUE(restored.RestoreFrom(learner.ToProto()).ok());
  MultinomialLearner reshaped({2, 3, 5}, {});
  EXPECT_THAT(std::string(reshaped.RestoreFrom(learner.ToProto()).message()),
              HasSubstr("decision 1: expected 3 values per statistic"));
}

// Op 0 beats both rivals with fewer epochs and higher accuracy (+2); op 1
// beats op 2 and loses to op 0 (0); op 2 loses to both (-2).
TEST(MultinomialLearnerTest, VectorUpdateByHand) {
  MultinomialLearner learner =
      OneDecision({1, 2, 3}, {90, 80, 70}, {.alpha = 0.01});
  learner.Update();
  EXPECT_THAT(learner.probabilities(0),
              ElementsAre(DoubleNear(1.0 / 3 + 0.02, 1e-12),
                          DoubleNear(1.0 / 3, 1e-12),
                          DoubleNear(1.0 / 3 - 0.02, 1e-12)));
}

// More training and higher accuracy says nothing; neither do ties.
TEST(MultinomialLearnerTest, AmbiguousPairsAndTiesDoNotMoveMass) {
  MultinomialLearner more_is_better =
      OneDecision({1, 2, 3}, {70, 80, 90}, {.alpha = 0.01});
  more_is_better.Update();
  for (double p : more_is_better.probabilities(0)) {
    EXPECT_DOUBLE_EQ(p, 1.0 / 3);
  }
  MultinomialLearner ties = OneDecision({2, 2}, {50, 60}, {.alpha = 0.01});
  ties.Update();
  EXPECT_THAT(ties.probabilities(0), ElementsAre(0.5, 0.5));
}

// Operations never trained sit at H^e = 0 and H^a = 0: every comparison
// with them is ambiguous, so they keep their mass.
TEST(MultinomialLearnerTest, UntrainedOperationsAreNeutral) {
  MultinomialLearner learner =
      OneDecision({0, 1, 2}, {0, 60, 50}, {.alpha = 0.1});
  learner.Update();
  EXPECT_THAT(learner.probabilities(0),
              ElementsAre(DoubleNear(1.0 / 3, 1e-12),
                          DoubleNear(1.0 / 3 + 0.1, 1e-12),
                          DoubleNear(1.0 / 3 - 0.1, 1e-12)));
}

// p = [0.02, 0.98] after one update of alpha 0.05 would be [-0.03, 1.03]:
// clamped to [0, 1.03] and renormalised to [0, 1].
TEST(MultinomialLearnerTest, NegativeProbabilitiesAreClampedAndRenormalised) {
  MultinomialLearner learner =
      OneDecision({2, 1}, {50, 60}, {.alpha = 0.49});
  learner.Update();  // [0.01, 0.99]
  EXPECT_THAT(learner.probabilities(0),
              ElementsAre(DoubleNear(0.01, 1e-12), DoubleNear(0.99, 1e-12)));
  learner.Update();  // [-0.48, 1.48] -> [0, 1]
  EXPECT_THAT(learner.probabilities(0), ElementsAre(0.0, 1.0));
}

TEST(MultinomialLearnerTest, PairwiseTransferByHand) {
  const LearnerOptions options = {.alpha = 0.1,
                                  .rule = UpdateRule::kPairwiseTransfer};
  // Op 0 trained at least as long (>=, a tie) with lower accuracy.
  MultinomialLearner tie = OneDecision({2, 2}, {50, 60}, options);
  tie.Update();
  EXPECT_THAT(tie.probabilities(0),
              ElementsAre(DoubleNear(0.4, 1e-12), DoubleNear(0.6, 1e-12)));
  // Three ops, pairs in order (0,1), (0,2), (1,2):
  //   (0,1): He 3>=2, Ha 50<70: 0 -> 1   p = [0.233, 0.433, 0.333]
  //   (0,2): He 3>=1, Ha 50<60: 0 -> 2   p = [0.133, 0.433, 0.433]
  //   (1,2): He 2>=1, Ha 70>60: none; He 2<=1 no.
  MultinomialLearner three = OneDecision({3, 2, 1}, {50, 70, 60}, options);
  three.Update();
  EXPECT_THAT(three.probabilities(0),
              ElementsAre(DoubleNear(1.0 / 3 - 0.2, 1e-12),
                          DoubleNear(1.0 / 3 + 0.1, 1e-12),
                          DoubleNear(1.0 / 3 + 0.1, 1e-12)));
  // A loser with no more than alpha gives everything it has.
  three.Update();  // (0,1): 0.133 > 0.1 -> [0.033, 0.533, 0.433]; (0,2): all.
  EXPECT_THAT(three.probabilities(0),
              ElementsAre(0.0, DoubleNear(1.0 / 3 + 0.2, 1e-12),
                          DoubleNear(1.0 / 3 + 0.1 + (1.0 / 3 - 0.3), 1e-12)));
}

TEST(MultinomialLearnerTest, AccuracyRankByHand) {
  const LearnerOptions options = {.alpha = 0.05, .rule = UpdateRule::kAccuracyRank};
  // H^e plays no part: the most trained and most accurate choice gains
  // over both others (+2 alpha), the least accurate loses to both.
  MultinomialLearner learner = OneDecision({30, 20, 10}, {70, 60, 50}, options);
  learner.Update();
  EXPECT_THAT(learner.probabilities(0),
              ElementsAre(DoubleNear(1.0 / 3 + 0.1, 1e-12), DoubleNear(1.0 / 3, 1e-12),
                          DoubleNear(1.0 / 3 - 0.1, 1e-12)));
  // Ties move nothing.
  MultinomialLearner ties = OneDecision({1, 5}, {60, 60}, options);
  ties.Update();
  EXPECT_THAT(ties.probabilities(0), ElementsAre(0.5, 0.5));
}

// A choice not validated in the latest epoch keeps its mass and is not
// compared: its older accuracy came from weaker shared weights.
TEST(MultinomialLearnerTest, AccuracyRankComparesOnlyTheLatestEpoch) {
  MultinomialLearner learner(std::vector<int>(1, 3),
                             {.alpha = 0.05, .rule = UpdateRule::kAccuracyRank});
  learner.RecordAccuracy(std::vector<int>{0}, 90);
  learner.FinishEpoch();
  EXPECT_TRUE(learner.accuracy_is_latest(0, 0));
  learner.RecordAccuracy(std::vector<int>{1}, 60);
  learner.RecordAccuracy(std::vector<int>{2}, 50);
  learner.FinishEpoch();
  EXPECT_FALSE(learner.accuracy_is_latest(0, 0));
  EXPECT_TRUE(learner.accuracy_is_latest(0, 1));
  learner.Update();
  EXPECT_THAT(learner.probabilities(0),
              ElementsAre(DoubleNear(1.0 / 3, 1e-12), DoubleNear(1.0 / 3 + 0.05, 1e-12),
                          DoubleNear(1.0 / 3 - 0.05, 1e-12)));
  // Restored, it compares the same choices.
  MultinomialLearner restored(std::vector<int>(1, 3),
                              {.alpha = 0.05, .rule = UpdateRule::kAccuracyRank});
  ASSERT_TRUE(restored.RestoreFrom(learner.ToProto()).ok());
  restored.Update();
  learner.Update();
  EXPECT_EQ(restored.probabilities(0), learner.probabilities(0));
}

TEST(MultinomialLearnerTest, AccuracyIsTheLatestEpochsMean) {
  MultinomialLearner learner(std::vector<int>(1, 2), {});
  const std::vector<int> op0 = {0};
  learner.RecordAccuracy(op0, 40);
  learner.FinishEpoch();
  EXPECT_DOUBLE_EQ(learner.accuracy(0, 0), 40);
  // Per-batch sampling records several accuracies per epoch: their mean
  // replaces the older value.
  learner.RecordAccuracy(op0, 60);
  learner.RecordAccuracy(op0, 70);
  learner.FinishEpoch();
  EXPECT_DOUBLE_EQ(learner.accuracy(0, 0), 65);
  // No record this epoch: the value stays.
  learner.FinishEpoch();
  EXPECT_DOUBLE_EQ(learner.accuracy(0, 0), 65);
  EXPECT_DOUBLE_EQ(learner.accuracy(0, 1), 0);
}

TEST(MultinomialLearnerTest, RecordTrainingCountsPerDecision) {
  MultinomialLearner learner(std::vector<int>(3, 4), {});
  learner.RecordTraining(std::vector<int>{1, 2, 3});
  learner.RecordTraining(std::vector<int>{1, 0, 3}, 5);
  EXPECT_EQ(learner.trained(0, 1), 6);
  EXPECT_EQ(learner.trained(1, 2), 1);
  EXPECT_EQ(learner.trained(1, 0), 5);
  EXPECT_EQ(learner.trained(2, 3), 6);
  EXPECT_EQ(learner.trained(2, 0), 0);
}

// Frequencies of 200,000 draws agree with p within 5 standard deviations;
// an operation without mass is never drawn.
TEST(MultinomialLearnerTest, SamplingFrequenciesMatchTheDistribution) {
  MultinomialLearner learner = OneDecision({1, 2, 3, 4}, {90, 80, 70, 60},
                                       {.alpha = 0.1});
  // [0.55, 0.35, 0.15, -0.05], clamped and renormalised: op 3 has no mass.
  learner.Update();
  const std::vector<double> p = learner.probabilities(0);
  EXPECT_EQ(p[3], 0.0);
  Rng rng(7);
  constexpr int kDraws = 200000;
  std::vector<int> counts(4, 0);
  for (int i = 0; i < kDraws; ++i) ++counts[learner.Sample(&rng)[0]];
  EXPECT_EQ(counts[3], 0);
  for (int op = 0; op < 3; ++op) {
    const double sigma = std::sqrt(kDraws * p[op] * (1 - p[op]));
    EXPECT_NEAR(counts[op], kDraws * p[op], 5 * sigma) << op;
  }
}

TEST(MultinomialLearnerTest, SamplingIsDeterministicGivenTheGenerator) {
  MultinomialLearner learner(std::vector<int>(28, 8), {});
  Rng a(123), b(123), c(124);
  const std::vector<int> first = learner.Sample(&a);
  EXPECT_EQ(first, learner.Sample(&b));
  EXPECT_NE(first, learner.Sample(&c));
  EXPECT_EQ(first.size(), 28u);
}

TEST(MultinomialLearnerTest, StateRoundTripsAndRejectsOtherShapes) {
  MultinomialLearner learner = OneDecision({1, 2, 3}, {90, 80, 70}, {});
  learner.RecordAccuracy(std::vector<int>{2}, 55);  // Pending.
  learner.Update();
  MultinomialLearner restored(std::vector<int>(1, 3), {});
  ASSERT_TRUE(restored.RestoreFrom(learner.ToProto()).ok());
  EXPECT_EQ(restored.ToProto().SerializeAsString(),
            learner.ToProto().SerializeAsString());
  restored.FinishEpoch();
  EXPECT_DOUBLE_EQ(restored.accuracy(0, 2), 55);

  MultinomialLearner wider(std::vector<int>(1, 4), {});
  EXPECT_THAT(std::string(wider.RestoreFrom(learner.ToProto()).message()),
              HasSubstr("expected 4 values per statistic"));
  MultinomialLearner longer(std::vector<int>(2, 3), {});
  EXPECT_THAT(std::string(longer.RestoreFrom(learner.ToProto()).message()),
              HasSubstr("has 1 decisions; this search has 2"));
  LearnerState corrupt = learner.ToProto();
  corrupt.mutable_decisions(0)->set_probability(1, std::nan(""));
  EXPECT_THAT(std::string(restored.RestoreFrom(corrupt).message()),
              HasSubstr("decision 0, choice 1"));
  corrupt = learner.ToProto();
  corrupt.mutable_decisions(0)->add_accuracy_is_latest(true);
  EXPECT_THAT(std::string(restored.RestoreFrom(corrupt).message()),
              HasSubstr("expected 3 values per statistic"));
  // A checkpoint older than accuracy_is_latest: no accuracy is the latest.
  corrupt = learner.ToProto();
  corrupt.mutable_decisions(0)->clear_accuracy_is_latest();
  ASSERT_TRUE(restored.RestoreFrom(corrupt).ok());
  EXPECT_FALSE(restored.accuracy_is_latest(0, 0));
  corrupt = learner.ToProto();
  corrupt.mutable_decisions(0)->set_probability(0, 0.9);
  EXPECT_THAT(std::string(restored.RestoreFrom(corrupt).message()),
              HasSubstr("probabilities sum to"));
}

}  // namespace
}  // namespace mdenas
