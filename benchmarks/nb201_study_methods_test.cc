#include "benchmarks/nb201_study_methods.h"

#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

Nb201StudyRun StudyRunOf(const std::string& method, double cifar10, double percentile,
                  double seconds) {
  Nb201StudyRun run;
  run.set_method(method);
  run.set_architecture("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|");
  KnownAccuracy* known = run.add_known_accuracies();
  known->set_dataset("cifar10");
  known->set_test_accuracy(cifar10);
  known->set_percentile(percentile);
  known = run.add_known_accuracies();
  known->set_dataset("cifar100");
  known->set_test_accuracy(cifar10 - 20);
  run.set_wall_seconds(seconds);
  return run;
}

TEST(Nb201StudyTest, MethodsAreDistinctSettingsOfOneSpec) {
  const std::vector<Nb201StudyMethod> methods = Nb201StudyMethods(20, 7);
  ASSERT_EQ(methods.size(), 5u);
  SearchSpec base;
  base.set_epochs(20);
  base.mutable_learner()->set_alpha(0.02);
  const SearchSpec paper = MethodSpec(base, methods[0], 4, "/tmp/x");
  EXPECT_EQ(paper.learner().sampling(), LearnerSpec::PER_EPOCH);
  EXPECT_EQ(paper.learner().update(), LearnerSpec::VECTOR_CLAMP);
  EXPECT_EQ(paper.learner().alpha(), 0.02);
  EXPECT_EQ(paper.runtime().seed(), 4u);
  EXPECT_EQ(paper.runtime().output_dir(), "/tmp/x");
  EXPECT_EQ(MethodSpec(base, methods[1], 4, "").learner().update(),
            LearnerSpec::PAIRWISE_TRANSFER);
  const SearchSpec ours = MethodSpec(base, methods[3], 4, "");
  EXPECT_EQ(ours.learner().update(), LearnerSpec::ACCURACY_RANK);
  EXPECT_EQ(ours.learner().warmup_epochs(), 5);
  // The baseline never updates its learner: uniform paths, then candidates.
  const SearchSpec rsps = MethodSpec(base, methods[4], 4, "");
  EXPECT_EQ(rsps.learner().sampling(), LearnerSpec::PER_BATCH);
  EXPECT_GE(rsps.learner().warmup_epochs(), rsps.epochs());
  EXPECT_EQ(rsps.random_candidates(), 7);
  for (const Nb201StudyMethod& method : methods) {
    if (method.name() == "rsps") continue;
    EXPECT_EQ(method.random_candidates(), 0) << method.name();
  }
}

TEST(Nb201StudyTest, SummariesAreMeansAndSampleDeviationsPerMethod) {
  const std::vector<Nb201StudyMethod> methods = Nb201StudyMethods(20, 7);
  const std::vector<Nb201StudyRun> runs = {
      StudyRunOf("rsps", 90, 40, 100), StudyRunOf("paper", 85, 10, 50),
      StudyRunOf("rsps", 94, 100, 120), StudyRunOf("rsps", 92, 70, 110)};
  const std::vector<Nb201StudySummary> summaries = Summarize(methods, runs);
  // In the methods' order, only those with runs.
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[0].method(), "paper");
  EXPECT_EQ(summaries[0].runs(), 1);
  EXPECT_EQ(summaries[0].cifar10().std(), 0);
  const Nb201StudySummary& rsps = summaries[1];
  EXPECT_EQ(rsps.origin(), "baseline");
  EXPECT_EQ(rsps.runs(), 3);
  EXPECT_DOUBLE_EQ(rsps.cifar10().mean(), 92);
  EXPECT_DOUBLE_EQ(rsps.cifar10().std(), 2);  // sqrt((4 + 4 + 0) / 2)
  EXPECT_DOUBLE_EQ(rsps.cifar100().mean(), 72);
  EXPECT_DOUBLE_EQ(rsps.cifar10_percentile().mean(), 70);
  EXPECT_DOUBLE_EQ(rsps.wall_seconds().mean(), 110);
  EXPECT_DOUBLE_EQ(rsps.wall_seconds().std(), 10);
  // A data set the runs lack has no mean.
  EXPECT_TRUE(std::isnan(rsps.imagenet16_120().mean()));
}

ValidatedArchitecture Candidate(double validation_top1, double cifar10) {
  ValidatedArchitecture candidate;
  candidate.set_validation_top1(validation_top1);
  KnownAccuracy* known = candidate.add_known_accuracies();
  known->set_dataset("cifar10");
  known->set_test_accuracy(cifar10);
  return candidate;
}

TEST(Nb201StudyTest, RandomCandidatesGiveTheSupernetsRankingAgainstTheTable) {
  const std::vector<Nb201StudyMethod> methods = Nb201StudyMethods(20, 7);
  RunResult result;
  // The first two and the first and third pairs ordered alike, the last
  // two not: tau (2 - 1) / 3.
  *result.add_candidates() = Candidate(40, 93);
  *result.add_candidates() = Candidate(30, 91);
  *result.add_candidates() = Candidate(35, 80);
  const Nb201StudyRun run = StudyRun(methods[4], 1, result, "/tmp/rsps");
  EXPECT_NEAR(run.candidates_tau(), 1.0 / 3, 1e-12);
  EXPECT_EQ(run.best_candidate_cifar10(), 93);
  // Without candidates, or without their table accuracies, nothing to rank.
  EXPECT_FALSE(StudyRun(methods[0], 1, RunResult(), "/tmp/paper").has_candidates_tau());
  RunResult unknown;
  unknown.add_candidates()->set_validation_top1(40);
  unknown.add_candidates()->set_validation_top1(30);
  EXPECT_FALSE(StudyRun(methods[4], 1, unknown, "/tmp/rsps").has_candidates_tau());

  Nb201Study study;
  *study.add_runs() = run;
  Nb201StudyRun second = run;
  second.set_candidates_tau(-1.0 / 3);
  second.set_best_candidate_cifar10(91);
  *study.add_runs() = second;
  *study.add_runs() = StudyRunOf("paper", 85.5, 10, 50);
  for (const Nb201StudySummary& summary :
       Summarize(methods, {study.runs().begin(), study.runs().end()})) {
    *study.add_summaries() = summary;
  }
  ASSERT_EQ(study.summaries_size(), 2);
  EXPECT_FALSE(study.summaries(0).has_candidates_tau());
  EXPECT_NEAR(study.summaries(1).candidates_tau().mean(), 0, 1e-12);
  EXPECT_DOUBLE_EQ(study.summaries(1).best_candidate_cifar10().mean(), 92);
  const std::string md = StudyMarkdown(study);
  EXPECT_THAT(md, HasSubstr("rsps: Kendall's tau between the shared weights' ranking of the "
                            "random candidates (validation top-1) and the table's CIFAR-10 "
                            "ranking 0.000 ± 0.471; the best candidate's CIFAR-10 accuracy "
                            "92.00 ± 1.41"));
  EXPECT_THAT(md, HasSubstr("| 0.333 |  |\n"));
  EXPECT_THAT(md, HasSubstr("| -0.333 |  |\n"));
}

TEST(Nb201StudyTest, MarkdownShowsSummariesRunsAndPublishedResults) {
  Nb201Study study;
  const std::vector<Nb201StudyMethod> methods = Nb201StudyMethods(20, 7);
  *study.add_runs() = StudyRunOf("paper", 85.5, 10, 50);
  study.mutable_runs(0)->set_processor("AuthenticAMD family 25");
  for (const Nb201StudySummary& summary :
       Summarize(methods, {study.runs().begin(), study.runs().end()})) {
    *study.add_summaries() = summary;
  }
  for (const PublishedNb201Result& result : PublishedNb201Results()) {
    *study.add_published() = result;
  }
  const std::string md = StudyMarkdown(study);
  EXPECT_THAT(md, HasSubstr("| paper | paper | 1 | 85.50 ± 0.00 | 65.50 ± 0.00 | nan ± 0.00 |"));
  EXPECT_THAT(md, HasSubstr("| paper | 0 | `|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|"
                            "none~2|` | 85.50 | 10.0 | 50 | – | AuthenticAMD family 25 |"));
  EXPECT_THAT(md, HasSubstr("| GDAS | 93.61 |"));
  EXPECT_THAT(md, HasSubstr("| optimum | 94.37 |"));
}

}  // namespace
}  // namespace mdenas
