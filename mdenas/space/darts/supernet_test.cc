#include "mdenas/space/darts/supernet.h"

#include <random>
#include <string>

#include <torch/torch.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/cpu_allocation_tracker.h"
#include "mdenas/nn/module_test_util.h"
#include "mdenas/training/tensor_state.h"

namespace mdenas {
namespace {

std::vector<int> RandomPath(int edges, int ops, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(0, ops - 1);
  std::vector<int> path(2 * edges);
  for (int& op : path) op = pick(rng);
  return path;
}

// Which operation of which cell type a parameter belongs to, parsed from its
// name "cell<i>.edge<e>_<op>.<...>"; `edge` is -1 outside the edge modules.
struct ParameterSite {
  int cell = -1;
  int edge = -1;
  std::string op;
};

ParameterSite SiteOf(const std::string& name) {
  ParameterSite site;
  const std::vector<std::string> parts = absl::StrSplit(name, '.');
  if (parts.size() < 2 || parts[0].rfind("cell", 0) != 0) return site;
  EXPECT_TRUE(absl::SimpleAtoi(parts[0].substr(4), &site.cell)) << name;
  if (parts[1].rfind("edge", 0) != 0) return site;
  const size_t underscore = parts[1].find('_');
  EXPECT_TRUE(absl::SimpleAtoi(parts[1].substr(4, underscore - 4), &site.edge));
  site.op = parts[1].substr(underscore + 1);
  return site;
}

TEST(DartsSupernetTest, OutputShapeForAnyPath) {
  torch::manual_seed(0);
  DartsSupernet net(DartsSupernetOptions().layers(3).init_channels(4));
  const torch::Tensor images = torch::randn({2, 3, 16, 16});
  for (uint32_t seed = 0; seed < 4; ++seed) {
    const std::vector<int> path = RandomPath(14, 8, seed);
    EXPECT_EQ(net->forward(images, path).sizes(), torch::IntArrayRef({2, 10}));
  }
}

TEST(DartsSupernetTest, GradientsReachExactlyTheSampledOperations) {
  torch::manual_seed(1);
  const DartsSupernetOptions options = DartsSupernetOptions().layers(3).init_channels(4);
  DartsSupernet net(options);
  const int edges = static_cast<int>(net->edges_per_cell());
  const std::vector<std::string>& names = options.operations();
  for (uint32_t seed = 0; seed < 3; ++seed) {
    for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
    const std::vector<int> path = RandomPath(edges, 8, 100 + seed);
    const torch::Tensor loss =
        net->forward(torch::randn({2, 3, 16, 16}), path).pow(2).sum();
    loss.backward();
    int sampled_with_parameters = 0;
    for (const auto& item : net->named_parameters()) {
      const ParameterSite site = SiteOf(item.key());
      const torch::Tensor& grad = item.value().grad();
      if (site.edge < 0) {  // Stem, preprocessing, classifier: always used.
        EXPECT_TRUE(grad.defined()) << item.key();
        continue;
      }
      const bool reduction = IsReductionCell(site.cell, 3);
      const int picked = path[(reduction ? edges : 0) + site.edge];
      if (names[picked] == site.op) {
        ASSERT_TRUE(grad.defined()) << item.key();
        EXPECT_GT(grad.abs().sum().item<double>(), 0.0) << item.key();
        ++sampled_with_parameters;
      } else {
        EXPECT_FALSE(grad.defined()) << item.key() << " was not sampled";
      }
    }
    EXPECT_GT(sampled_with_parameters, 0);
  }
}

TEST(DartsSupernetTest, AllNoneNodesStillProduceAnOutput) {
  torch::manual_seed(2);
  DartsSupernet net(DartsSupernetOptions().layers(3).init_channels(4));
  const std::vector<int> all_none(28, 0);
  const torch::Tensor logits = net->forward(torch::randn({2, 3, 8, 8}), all_none);
  EXPECT_EQ(logits.sizes(), torch::IntArrayRef({2, 10}));
}

TEST(DartsSupernetTest, StandaloneNetworkOfAPathComputesTheSameFunction) {
  torch::manual_seed(3);
  const std::vector<int> path = RandomPath(14, 8, 7);
  const DartsSupernetOptions options = DartsSupernetOptions().layers(4).init_channels(4);
  DartsSupernet supernet(options);
  DartsSupernet standalone(DartsSupernetOptions(options).fixed_path(path));
  // Same names, a subset of the parameters: copy the supernet's weights.
  auto source = supernet->named_parameters();
  int64_t copied = 0;
  {
    torch::NoGradGuard no_grad;
    for (auto& item : standalone->named_parameters()) {
      ASSERT_TRUE(source.contains(item.key())) << item.key();
      item.value().copy_(source[item.key()]);
      copied += item.value().numel();
    }
  }
  EXPECT_LT(copied, CountParameters(*supernet, true));
  supernet->eval();
  standalone->eval();
  const torch::Tensor images = torch::randn({2, 3, 16, 16});
  EXPECT_TRUE(torch::allclose(supernet->forward(images, path),
                              standalone->forward(images, path)));
  EXPECT_THROW(standalone->forward(images, RandomPath(14, 8, 8)), c10::Error);
}

TEST(DartsSupernetTest, AtenAndFastKernelsTrainTheSame) {
  torch::manual_seed(5);
  const DartsSupernetOptions options = DartsSupernetOptions().layers(3).init_channels(4);
  DartsSupernet aten(DartsSupernetOptions(options).kernels(Kernels::kAten));
  DartsSupernet fast(DartsSupernetOptions(options).kernels(Kernels::kFast));
  ASSERT_TRUE(LoadModuleState(ModuleState(*aten), fast.get()).ok());
  const torch::Tensor images = torch::randn({4, 3, 12, 12});
  for (uint32_t seed : {21u, 22u}) {
    const std::vector<int> path = RandomPath(14, 8, seed);
    const torch::Tensor aten_logits = aten->forward(images, path);
    const torch::Tensor fast_logits = fast->forward(images, path);
    EXPECT_TRUE(torch::allclose(fast_logits, aten_logits, 1e-3, 1e-4));
    aten_logits.pow(2).sum().backward();
    fast_logits.pow(2).sum().backward();
  }
  ExpectSameGradients(*aten, *fast, 1e-2, 1e-3);
  auto fast_buffers = fast->named_buffers();
  for (const auto& item : aten->named_buffers()) {
    EXPECT_TRUE(torch::allclose(fast_buffers[item.key()], item.value(), 1e-3, 1e-4))
        << item.key();
  }
}

TEST(DartsSupernetTest, MixedForwardWithOneHotWeightsIsTheSinglePath) {
  torch::manual_seed(6);
  DartsSupernet net(DartsSupernetOptions().layers(3).init_channels(4));
  net->eval();
  const torch::Tensor images = torch::randn({2, 3, 8, 8});
  const std::vector<int> path = RandomPath(14, 8, 31);
  torch::Tensor one_hot = torch::zeros({28, 8});
  for (int edge = 0; edge < 28; ++edge) one_hot[edge][path[edge]] = 1;
  EXPECT_TRUE(torch::allclose(net->forward_mixed(images, one_hot),
                              net->forward(images, path), 1e-5, 1e-6));
}

TEST(DartsSupernetTest, MixedForwardTrainsEveryOperationAndTheWeights) {
  torch::manual_seed(7);
  DartsSupernet net(DartsSupernetOptions().layers(3).init_channels(4));
  const torch::Tensor alpha = torch::randn({28, 8}).requires_grad_(true);
  net->forward_mixed(torch::randn({2, 3, 8, 8}), torch::softmax(alpha, 1))
      .pow(2)
      .sum()
      .backward();
  ASSERT_TRUE(alpha.grad().defined());
  EXPECT_GT(alpha.grad().abs().sum().item<float>(), 0.0f);
  for (const auto& item : net->named_parameters()) {
    EXPECT_TRUE(item.value().grad().defined()) << item.key();
  }
}

TEST(DartsSupernetTest, MixedForwardRejectsBadWeightsAndFixedPathNetworks) {
  const DartsSupernetOptions options = DartsSupernetOptions().layers(3).init_channels(4);
  DartsSupernet net(options);
  const torch::Tensor images = torch::randn({1, 3, 8, 8});
  EXPECT_THROW(net->forward_mixed(images, torch::ones({28, 7})), c10::Error);
  DartsSupernet standalone(DartsSupernetOptions(options).fixed_path(RandomPath(14, 8, 9)));
  EXPECT_THROW(standalone->forward_mixed(images, torch::ones({28, 8})), c10::Error);
}

TEST(DartsSupernetTest, RejectsMalformedPaths) {
  DartsSupernet net(DartsSupernetOptions().layers(3).init_channels(4));
  const torch::Tensor images = torch::randn({1, 3, 8, 8});
  EXPECT_THROW(net->forward(images, std::vector<int>(27, 1)), c10::Error);
  std::vector<int> bad(28, 1);
  bad[5] = 8;
  EXPECT_THROW(net->forward(images, bad), c10::Error);
}

// The single-path supernet needs no more memory for a training step than
// the stand-alone network of the sampled path, plus 15 %: unsampled
// operations hold parameters but no activations and no gradients. Measured
// as libtorch's peak CPU bytes (CpuAllocationTracker), network included.
int64_t PeakBytesOfOneStep(const DartsSupernetOptions& options,
                           const std::vector<int>& path) {
  torch::manual_seed(4);
  const torch::Tensor images = torch::randn({16, 3, 32, 32});
  const torch::Tensor labels = torch::randint(10, {16});
  CpuAllocationTracker tracker;
  DartsSupernet net(options);
  torch::nn::functional::cross_entropy(net->forward(images, path), labels)
      .backward();
  return tracker.peak_bytes();
}

TEST(DartsSupernetTest, PeakMemoryIsWithinFifteenPercentOfTheStandaloneNetwork) {
  at::set_num_threads(1);
  const DartsSupernetOptions options = DartsSupernetOptions().layers(5).init_channels(8);
  for (uint32_t seed : {11u, 12u, 13u}) {
    const std::vector<int> path = RandomPath(14, 8, seed);
    const int64_t supernet = PeakBytesOfOneStep(options, path);
    const int64_t standalone =
        PeakBytesOfOneStep(DartsSupernetOptions(options).fixed_path(path), path);
    EXPECT_GT(standalone, 0);
    EXPECT_LE(supernet, standalone * 115 / 100)
        << "supernet " << supernet << " B, stand-alone " << standalone << " B";
  }
}

}  // namespace
}  // namespace mdenas
