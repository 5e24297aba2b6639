// //benchmarks:nb201_study as a user runs it, on tiny data with a fixture
// table: every method searches under every seed, study.json gives each
// found architecture's table accuracies and each method's mean, a second
// run resumes the finished searches instead of repeating them, and bad
// flags are errors that say what is wrong.

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "benchmarks/nb201_study.pb.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/space/nb201/table_test_util.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

class Nb201StudyCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new std::string(WriteCifar10Fixture("cifar", 8));
    table_ = new std::string(WriteNb201FixtureTable("table", Nb201FixtureTableLines()));
  }

  // The study on the fixtures, 2 seeds of 2 epochs, into `out`.
  static ProcessResult RunStudy(const std::string& out, const std::vector<std::string>& extra) {
    const absl::StatusOr<std::string> binary = RunfilePath(nullptr, "benchmarks/nb201_study");
    EXPECT_TRUE(binary.ok()) << binary.status();
    std::vector<std::string> argv = {
        *binary,
        "--seeds=2",
        "--candidates=3",
        "--epochs=2",
        "--batch_size=8",
        "--threads=1",
        absl::StrCat("--out=", out),
        absl::StrCat("--set=data.path=", *data_, ",data.max_train_images=0,",
                     "space.nb201.channels=2,space.nb201.cells_per_stage=1,",
                     "space.nb201.table=", *table_)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv);
  }

  static std::string* data_;
  static std::string* table_;
};
std::string* Nb201StudyCommandTest::data_ = nullptr;
std::string* Nb201StudyCommandTest::table_ = nullptr;

Nb201Study ReadStudy(const std::string& out) {
  Nb201Study study;
  const absl::StatusOr<std::string> json = ReadFile(JoinPath(out, "study.json"));
  EXPECT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &study).ok());
  return study;
}

TEST_F(Nb201StudyCommandTest, EveryMethodUnderEverySeedJudgedByTheTable) {
  const std::string out = MakeTestDir("study");
  const ProcessResult run = RunStudy(out, {});
  ASSERT_TRUE(run.exited && run.exit_code == 0) << run.output;
  const Nb201Study study = ReadStudy(out);
  // The fixture table's CIFAR-10 accuracy of every architecture.
  std::map<std::string, double> cifar10;
  for (const std::string& line : Nb201FixtureTableLines()) {
    const std::vector<std::string> fields = absl::StrSplit(line, ',');
    double accuracy = 0;
    if (absl::SimpleAtod(fields[2], &accuracy)) cifar10[fields[1]] = accuracy;
  }
  ASSERT_EQ(study.methods_size(), 5);
  ASSERT_EQ(study.runs_size(), 10);
  std::map<std::string, std::vector<double>> by_method;
  for (const Nb201StudyRun& run : study.runs()) {
    ASSERT_EQ(run.known_accuracies_size(), 3) << run.method();
    EXPECT_EQ(run.known_accuracies(0).dataset(), "cifar10");
    ASSERT_EQ(cifar10.count(run.architecture()), 1u) << run.architecture();
    EXPECT_EQ(run.known_accuracies(0).test_accuracy(), cifar10[run.architecture()]);
    EXPECT_GT(run.wall_seconds(), 0);
    EXPECT_TRUE(PathExists(JoinPath(run.run_directory(), "result.json")));
    by_method[run.method()].push_back(run.known_accuracies(0).test_accuracy());
  }
  EXPECT_EQ(study.runs(0).seed(), 1u);
  EXPECT_EQ(study.runs(1).seed(), 2u);
  ASSERT_EQ(study.summaries_size(), 5);
  for (const Nb201StudySummary& summary : study.summaries()) {
    const std::vector<double>& values = by_method[summary.method()];
    ASSERT_EQ(values.size(), 2u) << summary.method();
    EXPECT_DOUBLE_EQ(summary.cifar10().mean(), (values[0] + values[1]) / 2);
    EXPECT_DOUBLE_EQ(summary.cifar10().std(), std::abs(values[0] - values[1]) / std::sqrt(2.0));
  }
  EXPECT_EQ(study.table(), *table_);
  EXPECT_EQ(study.base_spec().epochs(), 2);
  EXPECT_THAT(*ReadFile(JoinPath(out, "study.md")), HasSubstr("| accuracy_rank | ours | 2 |"));

  // Again: every search is resumed after its last epoch, none repeated.
  const ProcessResult again = RunStudy(out, {});
  ASSERT_TRUE(again.exited && again.exit_code == 0) << again.output;
  int resumed = 0;
  for (size_t at = again.output.find("resuming after epoch 2"); at != std::string::npos;
       at = again.output.find("resuming after epoch 2", at + 1)) {
    ++resumed;
  }
  EXPECT_EQ(resumed, 10);
  const Nb201Study second = ReadStudy(out);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(second.runs(i).architecture(), study.runs(i).architecture());
  }

  // Other settings in the same directory are refused, not mixed in.
  const ProcessResult other = RunStudy(out, {"--methods=paper", "--seeds=1", "--batch_size=4"});
  EXPECT_TRUE(other.exited && other.exit_code == 1) << other.output;
  EXPECT_THAT(other.output, HasSubstr("error: "));
  EXPECT_THAT(other.output, HasSubstr("paper/seed1"));
}

TEST_F(Nb201StudyCommandTest, BadFlagsAreErrors) {
  const std::string out = MakeTestDir("bad");
  ProcessResult run = RunStudy(out, {"--methods=paper,nope"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --methods: no method 'nope'; the methods are "
                                    "paper, authors_code, per_batch, accuracy_rank, rsps"));
  run = RunStudy(out, {"--set=learner.update=ACCURACY_RANK"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("learner.update is set by each method of the study"));
  run = RunStudy(out, {"--resume=somewhere"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("the study resumes by itself"));
  run = RunStudy(out, {"--set=space.darts.layers=3"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("needs a space with known accuracies"));
}

}  // namespace
}  // namespace mdenas
