#include "eval/kendall_tau.h"

#include <vector>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(KendallTauTest, IdenticalAndReversedRankings) {
  const std::vector<double> a = {1, 2, 3, 4, 5};
  const std::vector<double> reversed = {50, 40, 30, 20, 10};
  EXPECT_DOUBLE_EQ(KendallTau(a, a), 1.0);
  EXPECT_DOUBLE_EQ(KendallTau(a, reversed), -1.0);
  EXPECT_DOUBLE_EQ(ConcordanceProbability(1.0), 1.0);
  EXPECT_DOUBLE_EQ(ConcordanceProbability(-1.0), 0.0);
}

// a = 1 2 3 4, b = 1 3 2 4: of the 6 pairs only (2,3) is discordant:
// tau = (5 - 1) / 6 = 2/3.
TEST(KendallTauTest, OneSwappedPairByHand) {
  EXPECT_DOUBLE_EQ(KendallTau({1, 2, 3, 4}, {1, 3, 2, 4}), 2.0 / 3);
  EXPECT_DOUBLE_EQ(ConcordanceProbability(2.0 / 3), 5.0 / 6);
}

// b ties its first two entries: that pair counts for neither side, leaving
// 5 pairs, 4 concordant and 1 discordant (3 vs 4): tau = 3/5.
TEST(KendallTauTest, TiedPairsCountForNeither) {
  EXPECT_DOUBLE_EQ(KendallTau({1, 2, 3, 4}, {1, 1, 4, 3}), 3.0 / 5);
  EXPECT_DOUBLE_EQ(KendallTau({1, 1, 1}, {1, 2, 3}), 0.0);
  EXPECT_DOUBLE_EQ(KendallTau({}, {}), 0.0);
}

// Three architectures over three epochs, finally ranked a, b, c: after
// epoch 1 the order is c, b, a (reversed: tau -1); after epoch 2 it is
// b, a, c (one pair of three discordant: tau 1/3); the last against itself 1.
TEST(KendallTauTest, TauOfEachEpochAgainstTheLast) {
  const std::vector<std::vector<double>> accuracy = {
      {30, 45, 90},  // a
      {40, 50, 60},  // b
      {50, 40, 10},  // c
  };
  const std::vector<double> taus = TauAgainstLastEpoch(accuracy);
  ASSERT_EQ(taus.size(), 3u);
  EXPECT_DOUBLE_EQ(taus[0], -1.0);
  EXPECT_DOUBLE_EQ(taus[1], 1.0 / 3);
  EXPECT_DOUBLE_EQ(taus[2], 1.0);
}

// The same three against a benchmark's ranking c, a, b: epoch 1 (c, b, a)
// orders only the pair (a,b) the other way: tau 1/3; epoch 2 (b, a, c) all
// three pairs: -1; epoch 3 (a, b, c) the pairs (a,c) and (b,c): -1/3.
TEST(KendallTauTest, TauOfEachEpochAgainstAReference) {
  const std::vector<std::vector<double>> accuracy = {
      {30, 45, 90},  // a
      {40, 50, 60},  // b
      {50, 40, 10},  // c
  };
  const std::vector<double> reference = {2, 1, 3};
  const std::vector<double> taus = TauOfEachEpoch(accuracy, reference);
  ASSERT_EQ(taus.size(), 3u);
  EXPECT_DOUBLE_EQ(taus[0], 1.0 / 3);
  EXPECT_DOUBLE_EQ(taus[1], -1.0);
  EXPECT_DOUBLE_EQ(taus[2], -1.0 / 3);
}

}  // namespace
}  // namespace mdenas
