#include "mdenas/reports/run_files.h"

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/run/run_directory.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kCsv[] =
    "epoch,edge,operation,p,trained,accuracy\n"
    "1,1<-0,none,0.5,0,0\n"
    "1,1<-0,skip,0.5,1,20\n"
    "1,2<-0,none,0.25,1,20\n"
    "1,2<-0,skip,0.75,0,0\n"
    "2,1<-0,none,0.4,0,0\n"
    "2,1<-0,skip,0.6,2,30\n"
    "2,2<-0,none,0.2,1,20\n"
    "2,2<-0,skip,0.8,1,30\n";

TEST(DistributionCsvTest, EveryDecisionsProbabilitiesPerEpoch) {
  const absl::StatusOr<DistributionHistory> history = ParseDistributionCsv(kCsv);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_THAT(history->column_names, ElementsAre("edge"));
  EXPECT_THAT(history->epochs, ElementsAre(1, 2));
  ASSERT_EQ(history->decisions.size(), 2u);
  EXPECT_THAT(history->decisions[1].columns, ElementsAre("2<-0"));
  EXPECT_THAT(history->decisions[1].choices, ElementsAre("none", "skip"));
  EXPECT_THAT(history->decisions[1].probability[1], ElementsAre(0.2, 0.8));
  EXPECT_THAT(history->decisions[0].probability[0], ElementsAre(0.5, 0.5));
}

std::string Error(absl::string_view csv) {
  const absl::StatusOr<DistributionHistory> history = ParseDistributionCsv(csv);
  return history.ok() ? "ok" : std::string(history.status().message());
}

TEST(DistributionCsvTest, FaultsNameTheLine) {
  EXPECT_THAT(Error("epoch,p\n1,0.5\n"), HasSubstr("line 1: the header"));
  EXPECT_THAT(Error("epoch,edge,operation,p,trained,accuracy\n"), HasSubstr("no rows"));
  EXPECT_THAT(Error("epoch,edge,operation,p,trained,accuracy\n1,1<-0,none,0.5,0\n"),
              HasSubstr("line 2: 5 fields where the header has 6"));
  EXPECT_THAT(Error("epoch,edge,operation,p,trained,accuracy\nx,1<-0,none,0.5,0,0\n"),
              HasSubstr("line 2: epoch 'x'"));
  EXPECT_THAT(Error("epoch,edge,operation,p,trained,accuracy\n1,1<-0,none,1.5,0,0\n"),
              HasSubstr("line 2: p '1.5' is not a probability"));
  // The second epoch misses a choice, a decision, or swaps choices.
  std::string csv = kCsv;
  EXPECT_THAT(Error(csv.substr(0, csv.rfind("2,2<-0,skip"))), HasSubstr("ends within"));
  EXPECT_THAT(Error(csv.substr(0, csv.find("2,2<-0,none"))),
              HasSubstr("the last epoch has 1 decisions, the first 2"));
  std::string swapped = kCsv;
  swapped.replace(swapped.find("2,1<-0,none"), 11, "2,1<-0,skip");
  EXPECT_THAT(Error(swapped), HasSubstr("line 6: choice 'skip' is not where"));
  std::string backwards = kCsv;
  backwards.replace(backwards.find("2,1<-0,none"), 1, "0");
  EXPECT_THAT(Error(backwards), HasSubstr("line 6: epoch '0'"));
}

TEST(RunFilesTest, MissingAndDamagedFilesAreNamed) {
  const std::string dir = MakeTestDir("damaged_run");
  WriteTestFile(JoinPath(dir, kSpecFile), "epochs: 2\n");
  WriteTestFile(JoinPath(dir, kResultFile), "{\"epochs\": [{\"epoch\": ");
  WriteTestFile(JoinPath(dir, kDistributionFile), kCsv);
  const RunFiles files = ReadRunFiles(dir);
  EXPECT_EQ(files.spec, "epochs: 2\n");
  EXPECT_FALSE(files.result.has_value());
  EXPECT_EQ(files.distribution.decisions.size(), 2u);
  ASSERT_EQ(files.problems.size(), 2u);
  EXPECT_THAT(files.problems[0], HasSubstr("result.json: not a RunResult in JSON"));
  EXPECT_EQ(files.problems[1], "architecture.dot: missing");
}

TEST(RunFilesTest, ADamagedDrawingIsAProblem) {
  const std::string dir = MakeTestDir("bad_drawing");
  WriteTestFile(JoinPath(dir, kSpecFile), "");
  WriteTestFile(JoinPath(dir, kResultFile), "{\"search_spec\": {\"epochs\": 3}}");
  WriteTestFile(JoinPath(dir, kArchitectureDotFile), "digraph { a -> }");
  const RunFiles files = ReadRunFiles(dir);
  ASSERT_TRUE(files.is_search());
  EXPECT_EQ(files.planned_epochs(), 3);
  EXPECT_THAT(files.drawings, IsEmpty());
  ASSERT_EQ(files.problems.size(), 2u);
  EXPECT_THAT(files.problems[0], HasSubstr("architecture.dot: not a Graphviz graph"));
  // A search writes distribution.csv.
  EXPECT_EQ(files.problems[1], "distribution.csv: missing");
}

}  // namespace
}  // namespace mdenas
