#include "mdenas/driver/search.h"

#include <cmath>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/space/mobile/latency_table.h"
#include "mdenas/space/mobile/mobile_architecture.h"
#include "mdenas/space/nb201/nb201_table.h"
#include "mdenas/space/nb201/table_test_util.h"
#include "mdenas/spec/spec_loader.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

// A 3-cell, 4-channel search of 4 epochs on the tiny data, with `overrides`
// (field path, value) applied.
SearchSpec TinySpec(
    const std::string& data, const std::string& out,
    const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
  SearchSpec spec;
  SpecOrigins origins;
  const absl::Status status = ParseSpecText(
      absl::StrCat("data { dataset: CIFAR10 path: '", data,
                   "' loader_threads: 2 }\n"
                   "train_fraction: 0.5\n"
                   "space { darts { layers: 3 init_channels: 4 } }\n"
                   "learner { alpha: 0.05 }\n"
                   "epochs: 4\n"
                   "batch_size: 8\n"
                   "runtime { threads: 1 seed: 5 output_dir: '",
                   out, "' }\n"),
      "tiny", &spec, &origins);
  EXPECT_TRUE(status.ok()) << status;
  for (const auto& [field, value] : overrides) {
    EXPECT_TRUE(SetSpecField(field, value, "test", &spec, &origins).ok());
  }
  FillDefaults(&spec);
  return spec;
}

absl::StatusOr<TrainingData> Data(const SearchSpec& spec) {
  return OpenSearchData(spec.data(), spec.train_fraction(), spec.split_seed());
}

// Runs `spec` into its output directory, from the start or resumed, up to
// `stop_after` epochs (0: all).
std::unique_ptr<Search> RunSearch(const SearchSpec& spec, bool resume,
                                  int stop_after = 0) {
  absl::StatusOr<TrainingData> data = Data(spec);
  EXPECT_TRUE(data.ok()) << data.status();
  const std::string out = spec.runtime().output_dir();
  absl::StatusOr<RunDirectory> run =
      resume ? RunDirectory::Open(out) : RunDirectory::Create(out, spec);
  EXPECT_TRUE(run.ok()) << run.status();
  absl::StatusOr<std::unique_ptr<Search>> search =
      Search::Create(spec, *std::move(data), *run, resume);
  EXPECT_TRUE(search.ok()) << search.status();
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, spec.epochs());
  const absl::Status status = (*search)->Run(&progress, stop_after);
  EXPECT_TRUE(status.ok()) << status;
  return *std::move(search);
}

bool SameDistribution(const Search& a, const Search& b) {
  return a.learner().ToProto().SerializeAsString() ==
         b.learner().ToProto().SerializeAsString();
}

class SearchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new std::string(WriteCifar10Fixture("cifar", 8));
  }
  static std::string* data_;
};
std::string* SearchTest::data_ = nullptr;

TEST_F(SearchTest, SameSeedGivesTheSameSearch) {
  const auto a = RunSearch(TinySpec(*data_, MakeTestDir("a")), false);
  const auto b = RunSearch(TinySpec(*data_, MakeTestDir("b")), false);
  EXPECT_EQ(a->epochs_done(), 4);
  EXPECT_EQ(a->architecture(), b->architecture());
  EXPECT_TRUE(SameDistribution(*a, *b));
  const RunResult ra = a->result(), rb = b->result();
  for (int e = 0; e < 4; ++e) {
    EXPECT_EQ(ra.epochs(e).valid_top1(), rb.epochs(e).valid_top1());
    EXPECT_EQ(ra.epochs(e).train_loss(), rb.epochs(e).train_loss());
    EXPECT_EQ(ra.epochs(e).sampled_ops_size(), 28);
  }
  const auto c =
      RunSearch(TinySpec(*data_, MakeTestDir("c"), {{"runtime.seed", "6"}}), false);
  EXPECT_FALSE(SameDistribution(*a, *c));
}

// The driver feeds the learner exactly the paper's loop (MDENAS_SPEC.md
// §2.1): per epoch one sampled path, trained once, recorded with its
// validation accuracy, then the update, skipped in the warm-up epochs.
// Replaying the recorded epochs into a fresh learner gives the same state.
TEST_F(SearchTest, LearnerSeesEachEpochsPathAndAccuracy) {
  const auto search = RunSearch(
      TinySpec(*data_, MakeTestDir("replay"),
               {{"learner.warmup_epochs", "1"}, {"learner.alpha", "0.2"}}),
      false);
  const RunResult result = search->result();
  MultinomialLearner replay(std::vector<int>(28, 8), {.alpha = 0.2});
  for (const EpochRecord& record : result.epochs()) {
    const std::vector<int> path(record.sampled_ops().begin(),
                                record.sampled_ops().end());
    replay.RecordTraining(path);
    replay.RecordAccuracy(path, record.valid_top1());
    replay.FinishEpoch();
    if (record.epoch() > 1) replay.Update();
  }
  EXPECT_EQ(replay.ToProto().SerializeAsString(),
            search->learner().ToProto().SerializeAsString());
  EXPECT_EQ(search->architecture(), search->space().Derive(replay.distributions()));
}

// The weights do not change between an epoch's validation and the end of
// the run, so measuring the last path again gives the same accuracy, and
// measuring leaves the learner alone.
TEST_F(SearchTest, ValidationAccuracyOfAPathWithTheSharedWeights) {
  const auto search = RunSearch(TinySpec(*data_, MakeTestDir("measure")), false);
  const EpochRecord last = search->result().epochs(3);
  const std::string before = search->learner().ToProto().SerializeAsString();
  const absl::StatusOr<double> accuracy = search->ValidationAccuracy(
      std::vector<int>(last.sampled_ops().begin(), last.sampled_ops().end()));
  ASSERT_TRUE(accuracy.ok()) << accuracy.status();
  EXPECT_EQ(*accuracy, last.valid_top1());
  EXPECT_EQ(search->learner().ToProto().SerializeAsString(), before);
}

TEST_F(SearchTest, ResumedSearchEndsAsTheUninterruptedOne) {
  const auto whole = RunSearch(TinySpec(*data_, MakeTestDir("whole")), false);
  const SearchSpec spec = TinySpec(*data_, MakeTestDir("parts"));
  EXPECT_EQ(RunSearch(spec, false, /*stop_after=*/2)->epochs_done(), 2);
  const auto resumed = RunSearch(spec, true);
  EXPECT_EQ(resumed->epochs_done(), 4);
  EXPECT_EQ(resumed->architecture(), whole->architecture());
  EXPECT_TRUE(SameDistribution(*resumed, *whole));
  for (int e = 0; e < 4; ++e) {
    EXPECT_EQ(resumed->result().epochs(e).valid_top1(),
              whole->result().epochs(e).valid_top1());
  }
  EXPECT_EQ(*ReadFile(JoinPath(spec.runtime().output_dir(), kDistributionFile)),
            *ReadFile(JoinPath(whole->result().search_spec().runtime().output_dir(),
                               kDistributionFile)));
}

TEST_F(SearchTest, RunDirectoryHoldsEveryResult) {
  const SearchSpec spec = TinySpec(*data_, MakeTestDir("files"));
  const auto search = RunSearch(spec, false);
  const std::string dir = spec.runtime().output_dir();
  EXPECT_EQ(*ReadFile(JoinPath(dir, kArchitectureFile)), search->architecture().text + "\n");
  RunResult result;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  *ReadFile(JoinPath(dir, kResultFile)), &result)
                  .ok());
  EXPECT_EQ(result.epochs_size(), 4);
  EXPECT_EQ(result.train_images(), 20);
  EXPECT_EQ(result.validation_images(), 20);
  EXPECT_GT(result.peak_rss_bytes(), 0);
  EXPECT_EQ(result.distribution().decisions_size(), 28);
  EXPECT_EQ(result.space(), "darts");
  EXPECT_EQ(result.architecture(), search->architecture().text);
  EXPECT_THAT(result.protocol(), HasSubstr("darts space (3 cells x 4 channels)"));
  EXPECT_EQ(result.known_accuracies_size(), 0);
  const std::vector<std::string> rows =
      absl::StrSplit(*ReadFile(JoinPath(dir, kDistributionFile)), '\n',
                     absl::SkipEmpty());
  EXPECT_EQ(rows.size(), 1u + 4 * 28 * 8);
  EXPECT_EQ(rows[0], "epoch,cell,edge,node,input,operation,p,trained,accuracy");
  const std::vector<std::string> epochs =
      absl::StrSplit(*ReadFile(JoinPath(dir, kEpochsFile)), '\n', absl::SkipEmpty());
  EXPECT_EQ(epochs.size(), 5u);
}

// A NAS-Bench-201 search, the same driver on another space: its result
// gives the found cell's accuracies from the table.
TEST_F(SearchTest, Nb201SearchReportsTheTablesAccuracies) {
  const std::string table = WriteNb201FixtureTable("nb201", Nb201FixtureTableLines());
  const SearchSpec spec = TinySpec(*data_, MakeTestDir("nb201"),
                                   {{"space.nb201.channels", "4"},
                                    {"space.nb201.cells_per_stage", "1"},
                                    {"space.nb201.table", table}});
  const auto search = RunSearch(spec, false);
  RunResult result;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  *ReadFile(JoinPath(spec.runtime().output_dir(), kResultFile)), &result)
                  .ok());
  EXPECT_EQ(result.space(), "nb201");
  EXPECT_EQ(result.distribution().decisions_size(), 6);
  EXPECT_EQ(result.epochs(0).sampled_ops_size(), 6);
  const absl::StatusOr<Nb201Table> expected = Nb201Table::Read(table);
  ASSERT_TRUE(expected.ok()) << expected.status();
  const absl::StatusOr<Nb201Record> found = expected->Lookup(search->architecture().text);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(result.known_accuracies_size(), 3);
  EXPECT_EQ(result.known_accuracy_source(), table);
  EXPECT_EQ(result.known_accuracies(0).dataset(), "cifar10");
  EXPECT_EQ(result.known_accuracies(0).test_accuracy(), found->cifar10.test_accuracy);
  EXPECT_EQ(result.known_accuracies(0).percentile(), found->cifar10.percentile);
  EXPECT_EQ(result.known_accuracies(1).dataset(), "cifar100");
  EXPECT_EQ(result.known_accuracies(1).test_accuracy(), found->cifar100.test_accuracy);
  EXPECT_EQ(result.known_accuracies(2).dataset(), "imagenet16_120");
  EXPECT_EQ(result.known_accuracies(2).percentile(), 100);
}

// The mobile space through the same search: a block per slot of the GPU
// skeleton (a tenth of its channels), a gene list derived.
TEST_F(SearchTest, MobileSearchDerivesAGeneList) {
  const SearchSpec spec = TinySpec(*data_, MakeTestDir("mobile"),
                                   {{"space.mobile.channel_scale", "0.1"}, {"epochs", "2"}});
  const auto search = RunSearch(spec, false);
  RunResult result;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  *ReadFile(JoinPath(spec.runtime().output_dir(), kResultFile)), &result)
                  .ok());
  EXPECT_EQ(result.space(), "mobile");
  EXPECT_EQ(result.distribution().decisions_size(), 14);
  EXPECT_EQ(result.epochs(1).sampled_ops_size(), 14);
  EXPECT_THAT(result.architecture(), ::testing::StartsWith("gpu [("));
  EXPECT_THAT(result.protocol(), HasSubstr("gpu skeleton, 14 slots x 9 blocks, channels x 0.1"));
  EXPECT_EQ(result.architecture(), search->architecture().text);
}

// ImageNet-style folders with the ImageNet transforms (224 px crops): the
// mobile space at the size it was designed for.
TEST_F(SearchTest, MobileSearchReadsImageNetFolders) {
  const std::string root = MakeTestDir("imagenet_folders");
  for (const char* name : {"n01440764", "n01443537"}) {
    WriteJpegClass(JoinPath(root, "train"), name, 6, 40, 48, 3);
    WriteJpegClass(JoinPath(root, "val"), name, 2, 40, 48, 3);
  }
  const SearchSpec spec = TinySpec(root, MakeTestDir("mobile_imagenet"),
                                   {{"data.dataset", "IMAGENET"},
                                    {"space.mobile.channel_scale", "0.1"},
                                    {"space.mobile.skeleton", "CPU"},
                                    {"batch_size", "4"},
                                    {"epochs", "1"}});
  const auto search = RunSearch(spec, false);
  EXPECT_THAT(search->architecture().text, ::testing::StartsWith("cpu [("));
  RunResult result;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  *ReadFile(JoinPath(spec.runtime().output_dir(), kResultFile)), &result)
                  .ok());
  EXPECT_EQ(result.distribution().decisions_size(), 20);
  EXPECT_THAT(result.protocol(), HasSubstr("6/6 IMAGENET images"));
}

// With a latency reward the learner records accuracy x (latency /
// target)^exponent, the latency from the space's table; without a table
// the search refuses to start.
TEST_F(SearchTest, MobileSearchRewardsPredictedLatency) {
  MobileLatencyTable table;
  table.device = "made up";
  table.fixed_ms = 2;
  for (int s = 0; s < 14; ++s) {
    std::vector<double>& slot = table.block_ms.emplace_back();
    for (int c = 0; c < kMobileChoices; ++c) slot.push_back(0.5 + c);
  }
  const std::string table_path = JoinPath(MakeTestDir("latency"), "gpu.csv");
  ASSERT_TRUE(WriteFileAtomically(table_path, FormatMobileLatencyTable(table)).ok());
  const std::vector<std::pair<std::string, std::string>> settings = {
      {"space.mobile.channel_scale", "0.1"},
      {"epochs", "2"},
      {"latency_reward.target_ms", "40"},
      {"latency_reward.exponent", "-0.5"}};
  std::vector<std::pair<std::string, std::string>> with_table = settings;
  with_table.emplace_back("space.mobile.latency_table", table_path);
  const SearchSpec spec = TinySpec(*data_, MakeTestDir("mobile_latency"), with_table);
  const auto search = RunSearch(spec, false);
  const EpochRecord& epoch = search->result().epochs(1);
  const std::vector<int> path(epoch.sampled_ops().begin(), epoch.sampled_ops().end());
  EXPECT_DOUBLE_EQ(epoch.predicted_latency_ms(), table.Predict(path));
  EXPECT_DOUBLE_EQ(epoch.reward(), epoch.valid_top1() * std::pow(table.Predict(path) / 40, -0.5));

  const SearchSpec without = TinySpec(*data_, MakeTestDir("mobile_no_table"), settings);
  absl::StatusOr<TrainingData> data = Data(without);
  ASSERT_TRUE(data.ok());
  const absl::StatusOr<std::unique_ptr<Search>> refused =
      Search::Create(without, *std::move(data),
                     *RunDirectory::Create(without.runtime().output_dir(), without), false);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("latency_reward.target_ms: the mobile space has no latency table"));
}

TEST_F(SearchTest, Nb201SearchRefusesABadTable) {
  std::vector<std::string> lines = Nb201FixtureTableLines();
  lines.pop_back();
  const std::string table = WriteNb201FixtureTable("short", lines);
  const SearchSpec spec =
      TinySpec(*data_, MakeTestDir("bad_table"), {{"space.nb201.table", table}});
  absl::StatusOr<TrainingData> data = Data(spec);
  ASSERT_TRUE(data.ok()) << data.status();
  absl::StatusOr<RunDirectory> run = RunDirectory::Create(spec.runtime().output_dir(), spec);
  ASSERT_TRUE(run.ok()) << run.status();
  const absl::StatusOr<std::unique_ptr<Search>> search =
      Search::Create(spec, *std::move(data), *run, false);
  ASSERT_FALSE(search.ok());
  EXPECT_THAT(search.status().message(), HasSubstr("space.nb201.table: "));
  EXPECT_THAT(search.status().message(), HasSubstr(table));
  EXPECT_THAT(search.status().message(), HasSubstr("missing 1"));
}

// RSPS: with a learner that never updates, the found architecture is the
// most accurate of the random candidates, each validated through the
// shared weights and given its accuracy in the table; a resumed run ends
// with the same.
TEST_F(SearchTest, RandomCandidatesPickTheMostAccurate) {
  const std::string table_file = WriteNb201FixtureTable("rsps", Nb201FixtureTableLines());
  const absl::StatusOr<Nb201Table> table = Nb201Table::Read(table_file);
  ASSERT_TRUE(table.ok()) << table.status();
  const std::vector<std::pair<std::string, std::string>> rsps = {
      {"space.nb201.channels", "4"},     {"space.nb201.cells_per_stage", "1"},
      {"learner.sampling", "PER_BATCH"}, {"learner.warmup_epochs", "4"},
      {"random_candidates", "5"},        {"space.nb201.table", table_file}};
  const SearchSpec spec = TinySpec(*data_, MakeTestDir("rsps"), rsps);
  const auto search = RunSearch(spec, false);
  const RunResult result = search->result();
  ASSERT_EQ(result.candidates_size(), 5);
  double best = -1;
  std::string best_text;
  for (const ValidatedArchitecture& candidate : result.candidates()) {
    const absl::StatusOr<std::vector<int>> path =
        search->space().PathOf({candidate.architecture()});
    ASSERT_TRUE(path.ok()) << path.status();
    EXPECT_EQ(*search->ValidationAccuracy(*path), candidate.validation_top1());
    const absl::StatusOr<Nb201Record> record = table->Lookup(candidate.architecture());
    ASSERT_TRUE(record.ok()) << record.status();
    ASSERT_EQ(candidate.known_accuracies_size(), 3);
    EXPECT_EQ(candidate.known_accuracies(0).dataset(), "cifar10");
    EXPECT_EQ(candidate.known_accuracies(0).test_accuracy(), record->cifar10.test_accuracy);
    if (candidate.validation_top1() > best) {
      best = candidate.validation_top1();
      best_text = candidate.architecture();
    }
  }
  EXPECT_EQ(search->architecture().text, best_text);
  for (const std::vector<double>& p : search->learner().distributions()) {
    for (double value : p) EXPECT_DOUBLE_EQ(value, 0.2);
  }
  const SearchSpec parts = TinySpec(*data_, MakeTestDir("rsps_parts"), rsps);
  RunSearch(parts, false, /*stop_after=*/2);
  EXPECT_EQ(RunSearch(parts, true)->architecture(), search->architecture());
}

TEST_F(SearchTest, PerBatchSamplingCountsSteps) {
  const SearchSpec spec = TinySpec(*data_, MakeTestDir("batch"),
                                   {{"learner.sampling", "PER_BATCH"}});
  const auto search = RunSearch(spec, false);
  // 20 training images in batches of 8: 3 steps per epoch, 12 in all.
  for (int decision : {0, 13, 27}) {
    int64_t steps = 0;
    for (int op = 0; op < 8; ++op) steps += search->learner().trained(decision, op);
    EXPECT_EQ(steps, 12) << decision;
  }
  EXPECT_EQ(search->result().epochs(0).sampled_ops_size(), 0);
}

// Learning rate 10 with weight decay 1 multiplies the weights by about -9
// each step: past 3.4e38 within the 5 steps x 8 epochs, so the loss turns
// infinite or NaN (BatchNorm keeps smaller divergence finite).
std::vector<std::pair<std::string, std::string>> Diverging() {
  return {{"optimizer.learning_rate", "10"},
          {"optimizer.weight_decay", "1"},
          {"optimizer.schedule", "CONSTANT"},
          {"optimizer.grad_clip_norm", "0"},
          {"batch_size", "4"},
          {"epochs", "8"}};
}

TEST_F(SearchTest, NonFiniteStepStopsTheRunAndKeepsTheLastCheckpoint) {
  const SearchSpec spec = TinySpec(*data_, MakeTestDir("diverge"), Diverging());
  absl::StatusOr<TrainingData> data = Data(spec);
  ASSERT_TRUE(data.ok());
  const RunDirectory run = *RunDirectory::Create(spec.runtime().output_dir(), spec);
  auto search = *Search::Create(spec, *std::move(data), run, false);
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, spec.epochs());
  const absl::Status status = search->Run(&progress);
  ASSERT_FALSE(status.ok()) << "the run did not diverge";
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("the loss or the gradient is not finite"));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr(absl::StrCat("The checkpoint of epoch ",
                                     search->epochs_done(), " in ")));
  if (search->epochs_done() > 0) {
    const absl::StatusOr<Checkpoint> checkpoint = ReadCheckpointOf(run, "search", &spec);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
    EXPECT_EQ(checkpoint->training().epochs_done(), search->epochs_done());
  }
}

TEST_F(SearchTest, NonFiniteStepsCanBeSkippedAndCounted) {
  auto overrides = Diverging();
  overrides.push_back({"optimizer.on_non_finite", "SKIP_STEP"});
  const auto search =
      RunSearch(TinySpec(*data_, MakeTestDir("skip"), overrides), false);
  EXPECT_EQ(search->epochs_done(), 8);
  int skipped = 0;
  const RunResult result = search->result();
  for (const EpochRecord& record : result.epochs()) {
    skipped += record.skipped_steps();
  }
  EXPECT_GT(skipped, 0);
}

TEST_F(SearchTest, ResumeRefusesAnotherSpec) {
  const SearchSpec spec = TinySpec(*data_, MakeTestDir("guarded"));
  RunSearch(spec, false, 1);
  SearchSpec other = spec;
  other.set_epochs(5);
  absl::StatusOr<std::unique_ptr<Search>> resumed =
      Search::Create(other, *Data(other), *RunDirectory::Open(spec.runtime().output_dir()), true);
  EXPECT_THAT(std::string(resumed.status().message()), HasSubstr("belongs to another spec"));
}

}  // namespace
}  // namespace mdenas
