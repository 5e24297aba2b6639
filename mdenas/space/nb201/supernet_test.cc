#include "mdenas/space/nb201/supernet.h"

#include <torch/torch.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/space/nb201/cell.h"
#include "mdenas/space/nb201/network.h"

namespace mdenas {
namespace {

using ::testing::IsSubsetOf;

Nb201SupernetOptions Tiny(int64_t image_channels) {
  return Nb201SupernetOptions()
      .input_channels(image_channels)
      .num_classes(7)
      .channels(4)
      .cells_per_stage(1);
}

std::set<std::string> ParameterNames(const torch::nn::Module& module) {
  std::set<std::string> names;
  for (const auto& item : module.named_parameters()) names.insert(item.key());
  return names;
}

// Sets every parameter of `to` to its namesake's in `from`.
void CopyParameters(const torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  const auto params = from.named_parameters();
  for (auto& item : to.named_parameters()) item.value().copy_(params[item.key()]);
}

const std::vector<int> kPath = {3, 0, 4, 1, 2, 3};  // "3|-a|k13"

TEST(Nb201SupernetTest, LogitsForTinyInputsOfOneAndThreeChannels) {
  torch::manual_seed(0);
  for (const int64_t channels : {1, 3}) {
    Nb201Supernet net(Tiny(channels));
    const torch::Tensor images = torch::randn({2, channels, 8, 8});
    EXPECT_EQ(net->forward(images, kPath).sizes(), torch::IntArrayRef({2, 7}));
    EXPECT_EQ(net->forward(images, {0, 0, 0, 0, 0, 0}).sizes(), torch::IntArrayRef({2, 7}));
    EXPECT_EQ(net->forward_mixed(images, torch::softmax(torch::randn({6, 5}), 1)).sizes(),
              torch::IntArrayRef({2, 7}));
  }
}

// A module per (edge, operation) under the benchmark's search-cell names;
// the cells' BatchNorms have no affine parameters, the residual blocks'
// do, and none keeps running statistics.
TEST(Nb201SupernetTest, NamesAndBatchNormsAreTheBenchmarkSearchCells) {
  Nb201Supernet net(Tiny(3));
  const std::set<std::string> names = ParameterNames(*net);
  EXPECT_EQ(names.count("cells.0.edges.1<-0.3.op.1.weight"), 1u);
  EXPECT_EQ(names.count("cells.0.edges.3<-2.2.op.1.weight"), 1u);
  EXPECT_EQ(names.count("cells.0.edges.1<-0.3.op.2.weight"), 0u);
  EXPECT_EQ(names.count("cells.1.conv_a.op.2.weight"), 1u);
  // 3 cells x 6 edges x 2 convolutions, plus the stem's, 2 residual blocks'
  // 3 each, and the classifier.
  int convs = 0;
  for (const std::string& name : names) {
    if (absl::StrContains(name, "edges")) ++convs;
  }
  EXPECT_EQ(convs, 3 * 6 * 2);
  EXPECT_TRUE(net->named_buffers().is_empty());
}

// Validation normalises a path with its own batch statistics: in
// evaluation mode it computes what it does in training mode, however many
// other paths trained in between.
TEST(Nb201SupernetTest, APathIsValidatedWithItsOwnStatistics) {
  torch::manual_seed(3);
  Nb201Supernet net(Tiny(3));
  const torch::Tensor images = torch::randn({4, 3, 8, 8});
  torch::NoGradGuard no_grad;
  net->train();
  const torch::Tensor trained = net->forward(images, kPath);
  for (int i = 0; i < 3; ++i) net->forward(torch::randn({4, 3, 8, 8}) * 5, {4, 4, 1, 1, 0, 3});
  net->eval();
  EXPECT_TRUE(torch::allclose(net->forward(images, kPath), trained, 1e-5, 1e-6));
}

// With only a path built, the parameters are those of the full supernet
// that the path uses, under the same names, and compute the same.
TEST(Nb201SupernetTest, OnlyPathBuildsThePathsOperationsUnderTheSameNames) {
  torch::manual_seed(1);
  Nb201Supernet full(Tiny(3));
  Nb201Supernet only(Tiny(3).fixed_path(kPath));
  const std::set<std::string> only_names = ParameterNames(*only);
  EXPECT_THAT(only_names, IsSubsetOf(ParameterNames(*full)));
  for (const std::string& name : only_names) {
    if (!absl::StrContains(name, "edges")) continue;
    // cells.K.edges.<j<-i>.<op>....: the op the path picks on that edge.
    const std::vector<std::string> parts = absl::StrSplit(name, '.');
    const std::string edge = parts[3];
    int index = 0;
    while (Nb201EdgeName(Nb201Edges()[index]) != edge) ++index;
    EXPECT_EQ(parts[4], absl::StrCat(kPath[index])) << name;
  }
  CopyParameters(*full, *only);
  const torch::Tensor images = torch::randn({4, 3, 8, 8});
  EXPECT_TRUE(
      torch::allclose(only->forward(images, kPath), full->forward(images, kPath), 1e-5, 1e-6));
  EXPECT_THROW(only->forward(images, {3, 0, 4, 1, 2, 2}), c10::Error);
  EXPECT_THROW(only->forward_mixed(images, torch::ones({6, 5})), c10::Error);
}

// The supernet on a path computes the stand-alone network of that cell
// when the network's weights are copied into it: cells.K.edges.<j<-i>.X
// becomes cells.K.edges.<j<-i>.<op>.X. In training mode both normalise with
// batch statistics, and the network's fresh affine BatchNorms (scale 1,
// shift 0) equal the supernet's plain ones.
TEST(Nb201SupernetTest, APathComputesTheStandAloneNetworkOfItsCell) {
  torch::manual_seed(2);
  Nb201Cell cell;
  std::copy(kPath.begin(), kPath.end(), cell.ops.begin());
  Nb201Network network(
      cell, Nb201NetworkOptions().input_channels(3).num_classes(7).channels(4).cells_per_stage(2));
  Nb201Supernet supernet(Tiny(3).cells_per_stage(2));
  torch::NoGradGuard no_grad;
  auto supernet_params = supernet->named_parameters();
  int copied = 0;
  for (const auto& item : network->named_parameters()) {
    std::string name = item.key();
    std::vector<std::string> parts = absl::StrSplit(name, '.');
    if (parts.size() > 3 && parts[2] == "edges") {
      if (parts[5] == "2") continue;  // the affine scale and shift
      int index = 0;
      while (Nb201EdgeName(Nb201Edges()[index]) != parts[3]) ++index;
      parts.insert(parts.begin() + 4, absl::StrCat(kPath[index]));
      name = absl::StrJoin(parts, ".");
    }
    ASSERT_NE(supernet_params.find(name), nullptr) << name;
    supernet_params[name].copy_(item.value());
    ++copied;
  }
  // Stem 3, two residual blocks 7 each, lastact 2, classifier 2, and the
  // convolutions of the path's three nor_conv edges in 6 cells.
  EXPECT_EQ(copied, 3 + 2 * 7 + 2 + 2 + 6 * 3);
  network->train();
  supernet->train();
  const torch::Tensor images = torch::randn({4, 3, 8, 8});
  EXPECT_TRUE(torch::allclose(supernet->forward(images, kPath), network->forward(images).logits,
                              1e-5, 1e-6));
}

// One-hot mixing weights pick the path's operations: forward_mixed then
// computes forward's logits.
TEST(Nb201SupernetTest, OneHotMixingIsThePath) {
  torch::manual_seed(3);
  Nb201Supernet net(Tiny(3));
  const torch::Tensor images = torch::randn({4, 3, 8, 8});
  const torch::Tensor one_hot = torch::zeros({6, 5});
  for (int edge = 0; edge < 6; ++edge) one_hot[edge][kPath[edge]] = 1;
  EXPECT_TRUE(torch::allclose(net->forward_mixed(images, one_hot), net->forward(images, kPath),
                              1e-5, 1e-6));
}

// Only the path's operations get gradients; the unpicked ones none.
TEST(Nb201SupernetTest, OnlyThePathTrains) {
  torch::manual_seed(4);
  Nb201Supernet net(Tiny(3));
  net->forward(torch::randn({2, 3, 8, 8}), kPath).sum().backward();
  const auto params = net->named_parameters();
  EXPECT_TRUE(params["cells.0.edges.1<-0.3.op.1.weight"].grad().defined());
  EXPECT_TRUE(params["cells.2.edges.3<-1.2.op.1.weight"].grad().defined());
  EXPECT_FALSE(params["cells.0.edges.1<-0.2.op.1.weight"].grad().defined());
  EXPECT_FALSE(params["cells.0.edges.2<-0.3.op.1.weight"].grad().defined());
}

}  // namespace
}  // namespace mdenas
