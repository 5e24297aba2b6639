// //benchmarks:nb201_study as a user runs it, on tiny data with a fixture
// table: every method searches under every seed, study.json gives each
// found architecture's table accuracies and each method's mean; a second
// run reuses the finished searches, from the run directories' checkpoints or
// from study.json alone (as on another machine), and adds seeds without
// losing any recorded run; other settings in the same directory, a damaged
// study.json and bad flags are errors that say what is wrong.

#include <cstdlib>
#include <filesystem>
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

int Occurrences(const std::string& text, const std::string& what) {
  int count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

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

  // Again without study.json: every search is resumed from its checkpoint
  // after its last epoch, none repeated.
  std::filesystem::remove(JoinPath(out, "study.json"));
  const ProcessResult again = RunStudy(out, {});
  ASSERT_TRUE(again.exited && again.exit_code == 0) << again.output;
  EXPECT_EQ(Occurrences(again.output, "resuming after epoch 2"), 10);
  const Nb201Study second = ReadStudy(out);
  ASSERT_EQ(second.runs_size(), 10);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(second.runs(i).architecture(), study.runs(i).architecture());
  }

  // With study.json alone, as on another machine: the recorded searches
  // are reused and a third seed is added to every method.
  for (const Nb201StudyMethod& method : study.methods()) {
    std::filesystem::remove_all(JoinPath(out, method.name()));
  }
  const ProcessResult third = RunStudy(out, {"--seeds=3"});
  ASSERT_TRUE(third.exited && third.exit_code == 0) << third.output;
  EXPECT_EQ(Occurrences(third.output, "recorded in "), 10);
  EXPECT_EQ(Occurrences(third.output, "resuming after epoch"), 0);
  const Nb201Study extended = ReadStudy(out);
  ASSERT_EQ(extended.runs_size(), 15);
  for (int i = 0; i < 15; ++i) {
    const Nb201StudyRun& run = extended.runs(i);
    EXPECT_EQ(run.method(), study.methods(i / 3).name());
    EXPECT_EQ(run.seed(), 1u + i % 3);
    EXPECT_FALSE(run.processor().empty());
    if (run.seed() == 3) continue;
    EXPECT_EQ(run.architecture(), study.runs(2 * (i / 3) + run.seed() - 1).architecture());
  }
  for (const Nb201StudySummary& summary : extended.summaries()) EXPECT_EQ(summary.runs(), 3);

  // One method's first seed again: everything recorded is kept.
  const ProcessResult one = RunStudy(out, {"--methods=paper", "--seeds=1"});
  ASSERT_TRUE(one.exited && one.exit_code == 0) << one.output;
  EXPECT_EQ(ReadStudy(out).runs_size(), 15);

  // Other settings in the same directory are refused, not mixed in, and
  // study.json is left as it was.
  const std::string recorded = *ReadFile(JoinPath(out, "study.json"));
  const ProcessResult other = RunStudy(out, {"--methods=paper", "--seeds=1", "--batch_size=4"});
  EXPECT_TRUE(other.exited && other.exit_code == 1) << other.output;
  EXPECT_THAT(other.output, HasSubstr("study.json: recorded with another base spec"));
  EXPECT_THAT(other.output, HasSubstr("batch_size: 8 -> 4"));
  const ProcessResult candidates = RunStudy(out, {"--candidates=4"});
  EXPECT_TRUE(candidates.exited && candidates.exit_code == 1) << candidates.output;
  EXPECT_THAT(candidates.output, HasSubstr("study.json: method rsps recorded with other settings"));
  EXPECT_EQ(*ReadFile(JoinPath(out, "study.json")), recorded);
}

TEST_F(Nb201StudyCommandTest, DamagedStudyFileIsAnErrorAndKept) {
  const std::string out = MakeTestDir("damaged");
  const std::string file = JoinPath(out, "study.json");
  ASSERT_TRUE(WriteFileAtomically(file, "{\"runs\": [").ok());
  const ProcessResult run = RunStudy(out, {"--seeds=1"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr(absl::StrCat("error: ", file, ": not a study in JSON")));
  EXPECT_EQ(*ReadFile(file), "{\"runs\": [");
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
