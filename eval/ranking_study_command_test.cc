// //eval:ranking_study as a user runs it: a flag that lands in a training
// spec out of its range is an error that names the flag, before anything
// trains (before stop 17, --init_channels=0 aborted in libtorch and
// --test_images=-5 went on to train); a flag of another space than --space
// is an error, not ignored; and a NAS-Bench-201 study ranks the
// architectures against the benchmark's table (here a fixture table, on
// Fashion-MNIST), or stops at once where it has none.

#include <stdlib.h>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/space/nb201/table_test_util.h"

namespace mdenas {
namespace {

using testing::HasSubstr;

std::string Study() {
  const auto study = RunfilePath(nullptr, "eval/ranking_study");
  EXPECT_TRUE(study.ok()) << study.status();
  return study.ok() ? *study : "";
}

std::string TestPath(const std::string& name) {
  return absl::StrCat(getenv("TEST_TMPDIR"), "/", name);
}

// The study with `flags`, its output in $TEST_TMPDIR/<out>, and shared data
// looked for in an empty folder, so that no table is found unless a flag
// names one.
ProcessResult RunStudy(const std::string& out, std::vector<std::string> flags) {
  const std::string empty = TestPath("no_shared_data");
  EXPECT_TRUE(MakeDirectories(empty).ok());
  setenv("MDENAS_SHARED_DATA", empty.c_str(), 1);
  flags.insert(flags.begin(), Study());
  flags.push_back(absl::StrCat("--out=", TestPath(out)));
  return RunProcess(flags);
}

TEST(RankingStudyCommandTest, FlagsOutOfRangeAreErrorsThatNameTheFlag) {
  for (const char* flag : {"layers=0", "init_channels=0", "batch_size=0", "test_images=-5",
                           "train_images=-1", "threads=-1"}) {
    const ProcessResult run = RunStudy("study", {absl::StrCat("--", flag)});
    EXPECT_TRUE(run.exited && run.exit_code == 1) << flag << ": " << run.output;
    const std::string name(flag, std::string(flag).find('='));
    EXPECT_THAT(run.output, HasSubstr(absl::StrCat("error: flag --", name, ": field")))
        << flag;
  }
  for (const char* flag : {"channels=0", "cells_per_stage=0"}) {
    const ProcessResult run = RunStudy("study", {"--space=nb201", absl::StrCat("--", flag)});
    EXPECT_TRUE(run.exited && run.exit_code == 1) << flag << ": " << run.output;
    const std::string name(flag, std::string(flag).find('='));
    EXPECT_THAT(run.output, HasSubstr(absl::StrCat("error: flag --", name, ": field")))
        << flag;
  }
}

TEST(RankingStudyCommandTest, AFlagOfAnotherSpaceIsAnError) {
  ProcessResult run = RunStudy("study", {"--space=nb201", "--layers=3"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --layers: sets up the darts space's networks "
                                    "and does not apply to --space=nb201"));
  run = RunStudy("study", {"--channels=4"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --channels: sets up the nb201 space's "
                                    "networks and does not apply to --space=darts"));
  run = RunStudy("study", {"--space=mobile"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --space: the study knows no space 'mobile'"));
}

TEST(RankingStudyCommandTest, NasBench201WithoutATableIsAnError) {
  ProcessResult run = RunStudy("study", {"--space=nb201"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output,
              HasSubstr("error: --space=nb201 ranks the architectures against the "
                        "NAS-Bench-201 accuracy table: give --nb201_table=FILE"));
  run = RunStudy("study", {"--space=nb201", "--nb201_table=/nonexistent/nb201.csv"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --nb201_table: space.nb201.table: "));
  EXPECT_THAT(run.output, HasSubstr("/nonexistent/nb201.csv"));
}

// The values of `line`'s comma-separated fields from the `first`th on.
std::vector<double> Numbers(const std::string& line, int first) {
  const std::vector<std::string> fields = absl::StrSplit(line, ',');
  std::vector<double> numbers;
  for (size_t i = first; i < fields.size(); ++i) {
    double value;
    EXPECT_TRUE(absl::SimpleAtod(fields[i], &value)) << "'" << fields[i] << "' in " << line;
    numbers.push_back(value);
  }
  return numbers;
}

TEST(RankingStudyCommandTest, NasBench201RanksAgainstTheTable) {
  const std::string table =
      WriteNb201FixtureTable("nb201_table", Nb201FixtureTableLines());
  const ProcessResult run = RunStudy(
      "nb201", {"--space=nb201", absl::StrCat("--nb201_table=", table), "--architectures=3",
                "--epochs=2", "--supernet_epochs=2", "--channels=2", "--cells_per_stage=1",
                "--train_images=64", "--test_images=32", "--batch_size=16", "--threads=1"});
  ASSERT_TRUE(run.exited && run.exit_code == 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("| epoch | tau | p_tau | tau_table | p_tau_table |"));
  EXPECT_THAT(run.output, HasSubstr("; against the table: tau "));
  // The supernet drew its paths uniformly: no update of the distributions
  // before its last epoch's end.
  EXPECT_THAT(run.output, HasSubstr("2 epochs, a path every batch drawn uniformly"));
  const auto supernet_spec = ReadFile(TestPath("nb201/supernet/spec.textproto"));
  ASSERT_TRUE(supernet_spec.ok()) << supernet_spec.status();
  EXPECT_THAT(*supernet_spec, HasSubstr("sampling: PER_BATCH"));
  EXPECT_THAT(*supernet_spec, HasSubstr("warmup_epochs: 1"));

  const auto tau_csv = ReadFile(TestPath("nb201/tau.csv"));
  ASSERT_TRUE(tau_csv.ok()) << tau_csv.status();
  const std::vector<std::string> lines = absl::StrSplit(*tau_csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << *tau_csv;  // The header, 2 epochs, the supernet.
  EXPECT_EQ(lines[0], "epoch,tau,p_tau,tau_table_cifar10,p_tau_table_cifar10");
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].substr(0, lines[i].find(',')), i < 3 ? absl::StrCat(i) : "supernet");
    const std::vector<double> values = Numbers(lines[i], 1);
    ASSERT_EQ(values.size(), 4u) << lines[i];
    // tau against the last epoch, and against the table; each with p_tau.
    for (int tau : {0, 2}) {
      EXPECT_GE(values[tau], -1) << lines[i];
      EXPECT_LE(values[tau], 1) << lines[i];
      EXPECT_DOUBLE_EQ(values[tau + 1], (values[tau] + 1) / 2) << lines[i];
    }
  }

  // Every architecture's table accuracy: the fixture's are 50 + code / 1000
  // for the codes 0 to 15624.
  const auto architectures_csv = ReadFile(TestPath("nb201/architectures.csv"));
  ASSERT_TRUE(architectures_csv.ok()) << architectures_csv.status();
  const std::vector<std::string> rows =
      absl::StrSplit(*architectures_csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 4u) << *architectures_csv;
  EXPECT_EQ(rows[0], "architecture,text,epoch1,epoch2,in_supernet,table_cifar10");
  for (size_t i = 1; i < rows.size(); ++i) {
    // After the quoted text: epoch1, epoch2, in_supernet, table_cifar10.
    const std::vector<double> values = Numbers(rows[i].substr(rows[i].rfind('"') + 1), 1);
    ASSERT_EQ(values.size(), 4u) << rows[i];
    EXPECT_GE(values[3], FixtureCifar10Accuracy(0)) << rows[i];
    EXPECT_LE(values[3], FixtureCifar10Accuracy(15624)) << rows[i];
  }
}

}  // namespace
}  // namespace mdenas
