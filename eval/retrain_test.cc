#include "eval/retrain.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/space/spaces.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

EvalSpec TinySpec(const std::string& data, const std::string& out) {
  EvalSpec spec;
  SpecOrigins origins;
  const absl::Status status = ParseSpecText(
      absl::StrCat("architecture: 'DARTS_V2'\n"
                   "data { dataset: CIFAR10 path: '", data,
                   "' loader_threads: 2 }\n"
                   "network { darts { layers: 3 init_channels: 4 auxiliary: true "
                   "drop_path_prob: 0.3 classifier_dropout: 0.2 } }\n"
                   "epochs: 3\n"
                   "batch_size: 8\n"
                   "runtime { threads: 1 seed: 3 output_dir: '", out, "' }\n"),
      "tiny", &spec, &origins);
  EXPECT_TRUE(status.ok()) << status;
  FillDefaults(&spec);
  return spec;
}

Architecture DartsV2() { return *(*SearchSpaceOf(NetworkSpec()))->ParseArchitecture("DARTS_V2"); }

absl::StatusOr<TrainingData> Data(const EvalSpec& spec) {
  return OpenRetrainingData(spec.data(), spec.cutout_length());
}

std::unique_ptr<Retraining> Retrain(const EvalSpec& spec, bool resume,
                                    int stop_after = 0) {
  absl::StatusOr<TrainingData> data = Data(spec);
  EXPECT_TRUE(data.ok()) << data.status();
  const std::string out = spec.runtime().output_dir();
  absl::StatusOr<RunDirectory> run =
      resume ? RunDirectory::Open(out) : RunDirectory::Create(out, spec);
  EXPECT_TRUE(run.ok()) << run.status();
  absl::StatusOr<std::unique_ptr<Retraining>> retraining =
      Retraining::Create(spec, DartsV2(), *std::move(data), *run, resume);
  EXPECT_TRUE(retraining.ok()) << retraining.status();
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, spec.epochs(), "test");
  const absl::Status status = (*retraining)->Run(&progress, stop_after);
  EXPECT_TRUE(status.ok()) << status;
  return *std::move(retraining);
}

class RetrainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new std::string(WriteCifar10Fixture("cifar", 8));
  }
  static std::string* data_;
};
std::string* RetrainTest::data_ = nullptr;

TEST_F(RetrainTest, ResultHoldsAccuracySizeAndLatency) {
  const auto retraining =
      Retrain(TinySpec(*data_, MakeTestDir("whole")), false);
  const RunResult result = retraining->result();
  EXPECT_EQ(result.epochs_size(), 3);
  EXPECT_EQ(result.train_images(), 40);
  EXPECT_EQ(result.validation_images(), 8);
  EXPECT_GE(result.test_top5(), result.test_top1());
  EXPECT_EQ(result.test_top1(), result.epochs(2).valid_top1());
  EXPECT_GT(result.parameters(), 0);
  EXPECT_GT(result.macs(), 0);
  ASSERT_EQ(result.latency_size(), 2);
  EXPECT_EQ(result.latency(0).batch_size(), 1);
  EXPECT_EQ(result.latency(1).batch_size(), 8);
  EXPECT_THAT(result.protocol(),
              HasSubstr("retrained 3 epochs, CIFAR network, 3 cells x 4 channels, drop-path 0.3, "
                        "auxiliary weight 0.4, dropout 0.2, batch 8, cutout 16, 40 training "
                        "images"));
  EXPECT_EQ(result.space(), "darts");
  EXPECT_EQ(result.architecture(), DartsV2().text);
  const std::string dir = result.eval_spec().runtime().output_dir();
  EXPECT_TRUE(PathExists(JoinPath(dir, kResultFile)));
  EXPECT_EQ(*ReadFile(JoinPath(dir, kArchitectureFile)), DartsV2().text + "\n");
  // The report shows the retraining: the cells drawn, the test accuracy.
  const absl::StatusOr<std::string> report = ReadFile(JoinPath(dir, kReportFile));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_THAT(*report, HasSubstr("<h1>mdenas retraining</h1>"));
  EXPECT_THAT(*report, HasSubstr("id=\"drawing-normal\""));
  EXPECT_THAT(*report, HasSubstr("test top-1 / top-5"));
  EXPECT_THAT(*report, Not(HasSubstr("id=\"problems\"")));
}

// Drop-path and dropout draw from libtorch's generator, which the
// checkpoint carries: a resumed retraining ends as the uninterrupted one.
TEST_F(RetrainTest, ResumedRetrainingEndsAsTheUninterruptedOne) {
  const auto whole = Retrain(TinySpec(*data_, MakeTestDir("a")), false);
  const EvalSpec spec = TinySpec(*data_, MakeTestDir("b"));
  EXPECT_EQ(Retrain(spec, false, /*stop_after=*/1)->epochs_done(), 1);
  const auto resumed = Retrain(spec, true);
  EXPECT_EQ(resumed->epochs_done(), 3);
  for (int e = 0; e < 3; ++e) {
    EXPECT_EQ(resumed->result().epochs(e).train_loss(),
              whole->result().epochs(e).train_loss());
    EXPECT_EQ(resumed->result().epochs(e).valid_top1(),
              whole->result().epochs(e).valid_top1());
  }
  EXPECT_EQ(resumed->result().test_top5(), whole->result().test_top5());
}

// Learning rate 10 with weight decay 1 drives the weights past float range.
TEST_F(RetrainTest, NonFiniteStepStopsTheRun) {
  EvalSpec spec = TinySpec(*data_, MakeTestDir("diverge"));
  spec.mutable_optimizer()->set_learning_rate(10);
  spec.mutable_optimizer()->set_weight_decay(1);
  spec.mutable_optimizer()->set_schedule(OptimizerSpec::CONSTANT);
  spec.mutable_optimizer()->set_grad_clip_norm(0);
  spec.set_batch_size(4);
  spec.set_epochs(8);
  absl::StatusOr<TrainingData> data = Data(spec);
  ASSERT_TRUE(data.ok());
  auto retraining = *Retraining::Create(spec, DartsV2(), *std::move(data),
                                        *RunDirectory::Create(spec.runtime().output_dir(), spec),
                                        false);
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, spec.epochs(), "test");
  const absl::Status status = retraining->Run(&progress);
  ASSERT_FALSE(status.ok()) << "the run did not diverge";
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("the loss or the gradient is not finite"));
}

TEST_F(RetrainTest, ResumeRefusesAnotherSpecOrArchitecture) {
  const EvalSpec spec = TinySpec(*data_, MakeTestDir("guarded"));
  Retrain(spec, false, 1);
  const RunDirectory run = *RunDirectory::Open(spec.runtime().output_dir());
  EvalSpec other = spec;
  other.mutable_network()->mutable_darts()->set_drop_path_prob(0.1);
  EXPECT_THAT(std::string(Retraining::Create(other, DartsV2(), *Data(other), run, true)
                              .status()
                              .message()),
              HasSubstr("belongs to another spec"));
  const Architecture mdenas = *(*SearchSpaceOf(NetworkSpec()))->ParseArchitecture("MDENAS");
  EXPECT_THAT(std::string(Retraining::Create(spec, mdenas, *Data(spec), run, true)
                              .status()
                              .message()),
              HasSubstr("the checkpoint trains another architecture"));
  EXPECT_TRUE(Retraining::Create(spec, DartsV2(), *Data(spec), run, true).ok());
}

// weights.pt is written with the results; a new run starts from it, and one
// of another architecture refuses it before it trains.
TEST_F(RetrainTest, WeightsStartAnotherRunOfTheSameArchitectureOnly) {
  const EvalSpec first = TinySpec(*data_, MakeTestDir("first"));
  Retrain(first, false, /*stop_after=*/1);
  const std::string weights = JoinPath(first.runtime().output_dir(), kWeightsFile);
  ASSERT_TRUE(PathExists(weights));
  EvalSpec second = TinySpec(*data_, MakeTestDir("second"));
  second.set_init_weights(weights);
  const absl::StatusOr<std::unique_ptr<Retraining>> same =
      Retraining::Create(second, DartsV2(), *Data(second),
                         *RunDirectory::Create(second.runtime().output_dir(), second), false);
  EXPECT_TRUE(same.ok()) << same.status();
  EvalSpec third = TinySpec(*data_, MakeTestDir("third"));
  third.set_init_weights(weights);
  const Architecture mdenas = *(*SearchSpaceOf(NetworkSpec()))->ParseArchitecture("MDENAS");
  const absl::StatusOr<std::unique_ptr<Retraining>> other =
      Retraining::Create(third, mdenas, *Data(third),
                         *RunDirectory::Create(third.runtime().output_dir(), third), false);
  EXPECT_THAT(std::string(other.status().message()), HasSubstr(weights + ": "));
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("is not the network's"));
}

}  // namespace
}  // namespace mdenas
