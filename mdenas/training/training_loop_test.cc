#include "mdenas/training/training_loop.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/cifar_transform.h"
#include "data/image_source.h"
#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/proto/search_spec.pb.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/run/runtime.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int kImages = 12;

// Image i is 2x2 grey, every pixel 20 * i, with label 1 for the brighter
// half: a linear classifier learns it.
std::shared_ptr<const ImageSource> Images() {
  ImageSet set;
  set.height = 2;
  set.width = 2;
  set.channels = 1;
  set.class_names = {"dark", "bright"};
  for (int i = 0; i < kImages; ++i) {
    set.pixels.insert(set.pixels.end(), 4, static_cast<uint8_t>(20 * i));
    set.labels.push_back(i < kImages / 2 ? 0 : 1);
  }
  return std::make_shared<ImageSetSource>(std::move(set));
}

std::unique_ptr<Loader> MakeLoader(bool shuffle, int batch_size = 4) {
  CifarTransformOptions options = EvalOptions({});
  options.height = 2;
  options.width = 2;
  options.channels = 1;
  options.normalization = {{0.5f}, {0.25f}};
  LoaderOptions loader;
  loader.batch_size = batch_size;
  loader.shuffle = shuffle;
  std::vector<int64_t> indices(kImages);
  for (int i = 0; i < kImages; ++i) indices[i] = i;
  return *Loader::Create(Images(), indices, *CifarTransform::Create(options), loader);
}

// A job that trains a linear classifier and records what the loop asks of
// it, in order.
class LinearJob : public TrainingJob {
 public:
  explicit LinearJob(int nan_at_step = -1, bool same_forward = false)
      : nan_at_step_(nan_at_step), same_forward_(same_forward) {
    torch::manual_seed(3);
    net = torch::nn::Linear(4, 2);
  }

  void StartEpoch(int epoch, EpochRecord* record) override {
    calls.push_back(absl::StrCat("start ", epoch));
    record->add_sampled_ops(epoch);
  }
  void StartStep() override { ++step_starts; }
  bool SameForwardEveryStep() const override { return same_forward_; }
  TrainingOutput Forward(const torch::Tensor& images, const torch::Tensor& labels) override {
    ++forwards;
    torch::Tensor logits = net->forward(images.flatten(1));
    logits_dtype = logits.scalar_type();
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
    if (steps++ == nan_at_step_) loss = loss * std::numeric_limits<float>::quiet_NaN();
    return {loss, logits};
  }
  void AfterStep() override { ++updates; }
  absl::Status EndEpoch(EpochRecord* record) override {
    calls.push_back(absl::StrCat("end ", record->epoch()));
    record->set_valid_top1(50);
    return absl::OkStatus();
  }
  void SaveState(Checkpoint* checkpoint) const override {
    checkpoint->mutable_search()->set_sampler_rng(absl::StrCat("updates ", updates));
  }
  absl::Status WriteResults() const override {
    calls.push_back("results");
    return absl::OkStatus();
  }
  std::string PathText(const EpochRecord& record) const override {
    return absl::StrCat("path", record.epoch());
  }

  torch::nn::Linear net{nullptr};
  mutable std::vector<std::string> calls;
  int steps = 0;
  int step_starts = 0;
  int forwards = 0;
  int updates = 0;
  torch::ScalarType logits_dtype = torch::kFloat;

 private:
  int nan_at_step_;
  bool same_forward_;
};

Runtime Cpu(bool bfloat16 = false) { return Runtime{torch::kCPU, Kernels::kAten, bfloat16, "cpu"}; }

OptimizerSpec Sgd() {
  OptimizerSpec spec;
  spec.set_learning_rate(0.5);
  return spec;
}

RunDirectory NewRun(const std::string& name) {
  return *RunDirectory::Create(MakeTestDir(name), SearchSpec());
}

TEST(TrainingLoopTest, RunsEveryEpochWithTheJobsHooksAndACheckpoint) {
  LinearJob job;
  const RunDirectory run = NewRun("whole");
  TrainingLoop loop(&job, job.net.ptr().get(), Sgd(), 3, Cpu(), OneProcess(), MakeLoader(true),
                    run);
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, 3);
  ASSERT_TRUE(loop.Run(&progress).ok());
  EXPECT_THAT(job.calls, ElementsAre("start 1", "end 1", "results", "start 2", "end 2", "results",
                                     "start 3", "end 3", "results"));
  EXPECT_EQ(job.updates, 9);  // 3 batches of 4 images, 3 epochs.
  ASSERT_EQ(loop.epochs_done(), 3);
  ASSERT_EQ(loop.records().size(), 3);
  // The cosine schedule, one rate per epoch.
  EXPECT_DOUBLE_EQ(loop.records()[0].learning_rate(), 0.5);
  EXPECT_LT(loop.records()[2].learning_rate(), loop.records()[1].learning_rate());
  EXPECT_EQ(loop.records()[1].sampled_ops(0), 2);
  EXPECT_GT(loop.records()[2].train_top1(), 0);
  EXPECT_EQ(loop.records()[2].valid_top1(), 50);
  EXPECT_THAT(lines.str(), HasSubstr("epoch   3/3  path3  train loss"));
  EXPECT_EQ(loop.CudaGraphUse(), "not used: the device is cpu");
  EXPECT_FALSE(loop.records()[0].has_graph_steps());

  // The checkpoint holds the loop's state and the job's.
  const absl::StatusOr<Checkpoint> checkpoint = ReadCheckpoint(run);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->training().epochs_done(), 3);
  EXPECT_EQ(checkpoint->training().epochs_size(), 3);
  EXPECT_EQ(checkpoint->search().sampler_rng(), "updates 9");
  EXPECT_DOUBLE_EQ(checkpoint->training().seconds(), loop.seconds());
}

// bfloat16 autocast covers the forward passes of training and evaluation;
// the weights stay float32 and train.
TEST(TrainingLoopTest, Bfloat16AutocastsForwardPassesAndKeepsFloat32Weights) {
  LinearJob job;
  const torch::Tensor before = job.net->weight.detach().clone();
  TrainingLoop loop(&job, job.net.ptr().get(), Sgd(), 2, Cpu(/*bfloat16=*/true), OneProcess(),
                    MakeLoader(true), NewRun("bfloat16"));
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, 2);
  ASSERT_TRUE(loop.Run(&progress).ok());
  EXPECT_EQ(job.logits_dtype, torch::kBFloat16);
  EXPECT_EQ(job.net->weight.scalar_type(), torch::kFloat);
  EXPECT_FALSE(torch::equal(job.net->weight.detach(), before));
  EXPECT_TRUE(std::isfinite(loop.records()[1].train_loss()));
  std::unique_ptr<Loader> eval = MakeLoader(false);
  torch::ScalarType eval_dtype = torch::kFloat;
  ASSERT_TRUE(loop.Evaluate(*eval,
                            [&](const torch::Tensor& images) {
                              torch::Tensor logits = job.net->forward(images.flatten(1));
                              eval_dtype = logits.scalar_type();
                              return logits;
                            })
                  .ok());
  EXPECT_EQ(eval_dtype, torch::kBFloat16);
}

// On a GPU, an epoch's steps after its first two are replayed from a CUDA
// graph captured for the epoch, and train as eager steps do.
TEST(TrainingLoopTest, CudaGraphStepsTrainAsEagerStepsDo) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device to run on";
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, 2);
  Runtime cuda{torch::Device("cuda:0"), Kernels::kAten, false, "cuda:0"};
  std::map<bool, torch::Tensor> weights;
  for (const bool graphs : {false, true}) {
    cuda.cuda_graphs = graphs;
    LinearJob job(-1, /*same_forward=*/true);
    job.net->to(cuda.device);
    TrainingLoop loop(&job, job.net.ptr().get(), Sgd(), 2, cuda, OneProcess(),
                      MakeLoader(true, /*batch_size=*/2), NewRun(absl::StrCat("graphs", graphs)));
    ASSERT_TRUE(loop.Run(&progress).ok());
    EXPECT_EQ(job.updates, 12);  // 6 batches of 2 images, 2 epochs.
    if (graphs) {
      EXPECT_EQ(loop.records()[0].graph_steps(), 4);
      EXPECT_EQ(loop.CudaGraphUse(), "replayed 8 of 12 training steps");
      // Each epoch: two eager steps, then the capture.
      EXPECT_EQ(job.forwards, 6);
    } else {
      EXPECT_EQ(loop.CudaGraphUse(), "not used: runtime.cuda_graphs is false");
    }
    weights[graphs] = job.net->weight.detach().cpu();
  }
  EXPECT_TRUE(torch::allclose(weights[true], weights[false], 1e-5, 1e-6))
      << weights[true] << weights[false];
}

// Without BatchNorm, micro-batches change nothing but rounding: their
// weighted gradients add up to the batch's. Each step starts once and
// trains every micro-batch of its batch.
TEST(TrainingLoopTest, MicroBatchesAddUpToTheBatch) {
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, 3);
  LinearJob whole_job;
  TrainingLoop whole(&whole_job, whole_job.net.ptr().get(), Sgd(), 3, Cpu(), OneProcess(),
                     MakeLoader(true), NewRun("whole_batches"));
  ASSERT_TRUE(whole.Run(&progress).ok());
  EXPECT_EQ(whole_job.forwards, 9);

  for (const int micro_batches : {2, 4}) {
    OptimizerSpec split = Sgd();
    split.set_micro_batches(micro_batches);
    LinearJob job;
    TrainingLoop loop(&job, job.net.ptr().get(), split, 3, Cpu(), OneProcess(), MakeLoader(true),
                      NewRun(absl::StrCat("micro_batches_", micro_batches)));
    ASSERT_TRUE(loop.Run(&progress).ok());
    EXPECT_EQ(job.step_starts, 9);
    EXPECT_EQ(job.forwards, 9 * micro_batches);
    EXPECT_EQ(job.updates, 9);
    EXPECT_TRUE(torch::allclose(job.net->weight, whole_job.net->weight, 1e-5, 1e-6))
        << micro_batches;
    EXPECT_FALSE(torch::equal(job.net->weight, torch::zeros_like(job.net->weight)));
    for (int e = 0; e < 3; ++e) {
      EXPECT_NEAR(loop.records()[e].train_loss(), whole.records()[e].train_loss(), 1e-6);
      EXPECT_EQ(loop.records()[e].train_top1(), whole.records()[e].train_top1());
    }
  }
}

// A job whose network normalises its input with BatchNorm's running
// statistics, and learns nothing (learning rate 0): its statistics alone
// move.
class NormalisingJob : public LinearJob {
 public:
  TrainingOutput Forward(const torch::Tensor& images, const torch::Tensor& labels) override {
    torch::Tensor logits = net->forward(norm->forward(images.flatten(1)));
    return {torch::nn::functional::cross_entropy(logits, labels), logits};
  }
  torch::nn::BatchNorm1d norm{4};
};

// Micro-batches move BatchNorm's running statistics as that many processes
// would: each from the step's start, then averaged.
TEST(TrainingLoopTest, MicroBatchesAverageTheirRunningStatistics) {
  NormalisingJob job;
  torch::nn::Sequential network(job.norm, job.net);
  OptimizerSpec still;
  still.set_learning_rate(0);
  still.set_micro_batches(2);
  TrainingLoop loop(&job, network.ptr().get(), still, 1, Cpu(), OneProcess(), MakeLoader(true),
                    NewRun("micro_statistics"));
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, 1);
  ASSERT_TRUE(loop.Run(&progress).ok());

  const double momentum = 0.1;
  torch::Tensor mean = torch::zeros({4}), var = torch::ones({4});
  const std::unique_ptr<Loader> same_batches = MakeLoader(true);
  same_batches->StartEpoch(0);
  while (std::optional<Batch> batch = same_batches->Next()) {
    torch::Tensor mean_change = torch::zeros({4}), var_change = torch::zeros({4});
    for (const torch::Tensor& half : batch->images.flatten(1).tensor_split(2)) {
      mean_change += momentum * (half.mean(0) - mean) / 2;
      var_change += momentum * (half.var(0, /*unbiased=*/true) - var) / 2;
    }
    mean += mean_change;
    var += var_change;
  }
  EXPECT_TRUE(torch::allclose(job.norm->running_mean, mean, 1e-5, 1e-6))
      << job.norm->running_mean << mean;
  EXPECT_TRUE(torch::allclose(job.norm->running_var, var, 1e-5, 1e-6));
  EXPECT_EQ(job.norm->num_batches_tracked.item<int64_t>(), 3);  // Once per step.
}

// Stopped after epoch 2 and restored into new objects, the run ends with the
// weights of the run that did not stop.
TEST(TrainingLoopTest, ARestoredRunEndsAsTheUninterruptedOne) {
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, 4);
  LinearJob whole_job;
  TrainingLoop whole(&whole_job, whole_job.net.ptr().get(), Sgd(), 4, Cpu(), OneProcess(),
                     MakeLoader(true), NewRun("uninterrupted"));
  ASSERT_TRUE(whole.Run(&progress).ok());

  const RunDirectory run = NewRun("stopped");
  LinearJob first_job;
  TrainingLoop first(&first_job, first_job.net.ptr().get(), Sgd(), 4, Cpu(), OneProcess(),
                     MakeLoader(true), run);
  ASSERT_TRUE(first.Run(&progress, /*stop_after=*/2).ok());
  EXPECT_EQ(first.epochs_done(), 2);

  LinearJob second_job;
  TrainingLoop second(&second_job, second_job.net.ptr().get(), Sgd(), 4, Cpu(), OneProcess(),
                      MakeLoader(true), run);
  ASSERT_TRUE(second.Restore(ReadCheckpoint(run)->training()).ok());
  EXPECT_EQ(second.epochs_done(), 2);
  ASSERT_TRUE(second.Run(&progress).ok());
  EXPECT_THAT(second_job.calls,
              ElementsAre("start 3", "end 3", "results", "start 4", "end 4", "results"));
  EXPECT_TRUE(torch::equal(second_job.net->weight, whole_job.net->weight));
  EXPECT_EQ(second.records()[3].train_loss(), whole.records()[3].train_loss());

  // A state that does not fit the run is refused.
  TrainingState shorter = ReadCheckpoint(run)->training();
  EXPECT_THAT(
      std::string(RestoreTrainingState(shorter, 1, whole_job.net.ptr().get(), nullptr).message()),
      HasSubstr("inconsistent epoch count 4"));
  TrainingState reshaped = ReadCheckpoint(run)->training();
  reshaped.mutable_network()->mutable_tensors(0)->add_shape(2);
  EXPECT_THAT(
      std::string(RestoreTrainingState(reshaped, 4, whole_job.net.ptr().get(), nullptr).message()),
      HasSubstr("has shape"));
}

TEST(TrainingLoopTest, ANonFiniteLossStopsTheRunOrIsSkipped) {
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, 2);
  // Step 4 is the second batch of epoch 2.
  LinearJob stopping(4);
  const RunDirectory run = NewRun("stop");
  TrainingLoop stopped(&stopping, stopping.net.ptr().get(), Sgd(), 2, Cpu(), OneProcess(),
                       MakeLoader(true), run);
  const absl::Status status = stopped.Run(&progress);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("epoch 2, batch 2: the loss or the gradient is not finite"));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("The checkpoint of epoch 1 in " + run.path() + " is intact"));
  EXPECT_EQ(ReadCheckpoint(run)->training().epochs_done(), 1);

  OptimizerSpec skip = Sgd();
  skip.set_on_non_finite(OptimizerSpec::SKIP_STEP);
  LinearJob skipping(4);
  TrainingLoop skipped(&skipping, skipping.net.ptr().get(), skip, 2, Cpu(), OneProcess(),
                       MakeLoader(true), NewRun("skip"));
  ASSERT_TRUE(skipped.Run(&progress).ok());
  EXPECT_EQ(skipped.records()[1].skipped_steps(), 1);
  EXPECT_EQ(skipping.updates, 5);
}

// A last batch with fewer images than micro-batches (or replicas) is left
// out: 12 images in batches of 5 leave 2 for 3 micro-batches.
TEST(TrainingLoopTest, ABatchSmallerThanItsMicroBatchesIsLeftOut) {
  OptimizerSpec split = Sgd();
  split.set_micro_batches(3);
  LinearJob job;
  TrainingLoop loop(&job, job.net.ptr().get(), split, 1, Cpu(), OneProcess(), MakeLoader(true, 5),
                    NewRun("left_out"));
  std::ostringstream lines, bar;
  ProgressReporter progress(&lines, &bar, false, 1);
  ASSERT_TRUE(loop.Run(&progress).ok());
  EXPECT_EQ(job.updates, 2);
  EXPECT_EQ(job.forwards, 6);
  EXPECT_EQ(loop.records()[0].skipped_steps(), 0);
}

// Logits that always predict class 0: right for images 0-5 (labels 0),
// wrong for 6-11. Each batch is evaluated in the micro-batches training
// cuts it into.
TEST(TrainingLoopTest, EvaluationCountsTopOneAndTopFivePerBatchAndInTotal) {
  LinearJob job;
  OptimizerSpec split = Sgd();
  split.set_micro_batches(2);
  TrainingLoop loop(&job, job.net.ptr().get(), split, 1, Cpu(), OneProcess(), MakeLoader(true),
                    NewRun("evaluation"));
  std::unique_ptr<Loader> loader = MakeLoader(false);
  std::vector<int64_t> started, part_sizes;
  const absl::StatusOr<Evaluation> evaluation = loop.Evaluate(
      *loader,
      [&](const torch::Tensor& images) {
        part_sizes.push_back(images.size(0));
        return torch::tensor({1.0f, 0.0f}).expand({images.size(0), 2});
      },
      [&](int64_t batch) { started.push_back(batch); });
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_FALSE(job.net->is_training());
  EXPECT_THAT(started, ElementsAre(0, 1, 2));
  EXPECT_THAT(part_sizes, ElementsAre(2, 2, 2, 2, 2, 2));
  // Batches (0-3), (4-7), (8-11).
  ASSERT_EQ(evaluation->batches.size(), 3u);
  EXPECT_EQ(evaluation->batches[0].top1, 4);
  EXPECT_EQ(evaluation->batches[1].top1, 2);
  EXPECT_EQ(evaluation->batches[2].top1, 0);
  EXPECT_EQ(evaluation->batches[1].images, 4);
  EXPECT_EQ(evaluation->total.images, 12);
  EXPECT_EQ(evaluation->total.top1, 6);
  EXPECT_EQ(evaluation->total.top5, 12);  // Two classes: every label is in the top 5.
  EXPECT_DOUBLE_EQ(evaluation->total.top1_percent(), 50.0);
}

}  // namespace
}  // namespace mdenas
