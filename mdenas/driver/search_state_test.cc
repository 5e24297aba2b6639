#include "mdenas/driver/search_state.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/run/checkpoint.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

// A checkpoint written by //mdenas:search (1 cell of 2 channels, one
// intermediate node, 1 epoch), kept as the checkpoint fuzzer's seed after
// the fuzzer's mode byte. It must stay readable: if this test fails, the
// format changed and its version must be bumped (run/checkpoint.cc) and the
// seeds written anew.
constexpr char kSeed[] = "fuzz/corpus/checkpoint/file_one_cell_one_node.bin";

Checkpoint Seed() { return *ParseCheckpoint(ReadFile(kSeed)->substr(1), kSeed); }

// One node: 2 edges in each of the two cells, 8 operations each.
MultinomialLearner SeedLearner() { return MultinomialLearner(std::vector<int>(4, 8), {}); }

TEST(SearchStateTest, AWrittenCheckpointRestores) {
  const absl::StatusOr<Checkpoint> checkpoint =
      ParseCheckpoint(ReadFile(kSeed)->substr(1), kSeed);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->training().epochs_done(), 1);
  EXPECT_EQ(checkpoint->search().spec().space().darts().nodes(), 1);
  MultinomialLearner learner = SeedLearner();
  Rng sampler;
  const absl::Status status = RestoreSearchState(checkpoint->search(), 1, &learner, &sampler);
  EXPECT_TRUE(status.ok()) << status;
  // The seed predates accuracy_is_latest: it restores with no accuracy from
  // the latest epoch, and the rest as written.
  LearnerState restored = learner.ToProto();
  for (LearnerState::Decision& decision : *restored.mutable_decisions()) {
    for (bool latest : decision.accuracy_is_latest()) EXPECT_FALSE(latest);
    decision.clear_accuracy_is_latest();
  }
  EXPECT_EQ(restored.SerializeAsString(), checkpoint->search().learner().SerializeAsString());
}

TEST(SearchStateTest, PartsThatDoNotFitAreErrors) {
  const SearchState good = Seed().search();
  MultinomialLearner learner = SeedLearner();
  Rng sampler;
  EXPECT_THAT(std::string(RestoreSearchState(good, 2, &learner, &sampler).message()),
              HasSubstr("the learner's history has 1 epochs, the run 2"));
  SearchState bad = good;
  bad.set_sampler_rng("not a generator");
  EXPECT_THAT(std::string(RestoreSearchState(bad, 1, &learner, &sampler).message()),
              HasSubstr("unreadable sampler state"));
  bad = good;
  bad.mutable_learner()->mutable_decisions()->RemoveLast();
  EXPECT_THAT(std::string(RestoreSearchState(bad, 1, &learner, &sampler).message()),
              HasSubstr("learner state has 3 decisions"));
}

}  // namespace
}  // namespace mdenas
