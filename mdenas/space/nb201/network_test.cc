#include "mdenas/space/nb201/network.h"

#include <torch/torch.h>

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/nn/layers.h"
#include "mdenas/nn/state_dict.h"
#include "mdenas/space/nb201/cell.h"

namespace mdenas {
namespace {

using ::testing::IsSupersetOf;

Nb201Cell AllOf(int op) {
  Nb201Cell cell;
  cell.ops.fill(op);
  return cell;
}

Nb201Cell Parse(const std::string& text) {
  const absl::StatusOr<Nb201Cell> cell = ParseNb201Cell(text);
  EXPECT_TRUE(cell.ok()) << cell.status();
  return *cell;
}

TEST(Nb201NetworkTest, LogitsForTinyInputsOfOneAndThreeChannels) {
  torch::manual_seed(0);
  for (const int64_t channels : {1, 3}) {
    for (const int op : {kNb201None, kNb201Skip, kNb201Conv1x1, kNb201Conv3x3, kNb201AvgPool}) {
      Nb201Network net(
          AllOf(op),
          Nb201NetworkOptions().input_channels(channels).num_classes(7).channels(4).cells_per_stage(
              1));
      const NetworkOutput out = net->forward(torch::randn({2, channels, 8, 8}));
      EXPECT_EQ(out.logits.sizes(), torch::IntArrayRef({2, 7}));
      EXPECT_FALSE(out.auxiliary_logits.defined());
    }
  }
}

// Parameter counts of the benchmark's network (C = 16, N = 5, 3 image
// channels, 10 classes), from the layers' formulas: a bias-free k x k
// convolution from a to b channels has a*b*k*k weights, an affine BatchNorm
// of c channels 2c (its running statistics are buffers), a linear layer
// a*b + b.
//   stem: conv 3*16*9 = 432, BN 32                                    464
//   residual block 16 -> 32: conv_a 16*32*9 + 64 = 4672,
//     conv_b 32*32*9 + 64 = 9280, downsample 1x1 16*32 = 512       14464
//   residual block 32 -> 64: conv_a 32*64*9 + 128 = 18560,
//     conv_b 64*64*9 + 128 = 36992, downsample 32*64 = 2048        57600
//   lastact BN 2*64 = 128; classifier 64*10 + 10 = 650                778
//   all but the cells                                               73306
// A nor_conv_kxk edge at C channels adds C*C*k*k + 2C; none, skip_connect
// and avg_pool_3x3 add nothing. Five cells per stage, at 16, 32, 64:
//   nor_conv_3x3: 2336, 9280, 36992 per edge;
//     6 edges: 5*6*(2336 + 9280 + 36992) = 1458240
//   nor_conv_1x1: 288, 1088, 4224 per edge;
//     6 edges: 5*6*(288 + 1088 + 4224) = 168000
TEST(Nb201NetworkTest, ParameterCountsOfTheBenchmarksNetwork) {
  const auto count = [](const Nb201Cell& cell, int64_t image_channels) {
    return CountParameters(
        *Nb201Network(cell, Nb201NetworkOptions().input_channels(image_channels)),
        /*include_auxiliary=*/true);
  };
  EXPECT_EQ(count(AllOf(kNb201None), 3), 73306);
  EXPECT_EQ(count(AllOf(kNb201Skip), 3), 73306);
  EXPECT_EQ(count(AllOf(kNb201AvgPool), 3), 73306);
  EXPECT_EQ(count(AllOf(kNb201Conv3x3), 3), 73306 + 1458240);  // 1531546
  EXPECT_EQ(count(AllOf(kNb201Conv1x1), 3), 73306 + 168000);   // 241306
  // The paper's example cell has three nor_conv_3x3 edges (1<-0, 2<-0,
  // 3<-1): 5*3*(2336 + 9280 + 36992) = 729120.
  EXPECT_EQ(count(Parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|"
                        "nor_conv_3x3~1|skip_connect~2|"),
                  3),
            73306 + 729120);
  // One image channel: the stem's convolution has 1*16*9 = 144 weights, not 432.
  EXPECT_EQ(count(AllOf(kNb201None), 1), 73306 - 288);
}

// The benchmark's names (network.h): stem, cells counting the residual
// blocks (cells.5 and cells.11 at N = 5), edges by "j<-i", lastact,
// classifier.
TEST(Nb201NetworkTest, ParameterNamesFollowTheBenchmarks) {
  Nb201Network net(AllOf(kNb201Conv3x3), Nb201NetworkOptions());
  std::set<std::string> names;
  for (const auto& item : net->named_parameters()) names.insert(item.key());
  for (const auto& item : net->named_buffers()) names.insert(item.key());
  EXPECT_THAT(names,
              IsSupersetOf({"stem.0.weight", "stem.1.weight", "stem.1.bias", "stem.1.running_mean",
                            "cells.0.edges.1<-0.op.1.weight", "cells.0.edges.1<-0.op.2.weight",
                            "cells.4.edges.3<-2.op.2.running_var", "cells.5.conv_a.op.1.weight",
                            "cells.5.conv_b.op.2.bias", "cells.5.downsample.1.weight",
                            "cells.16.edges.2<-1.op.1.weight", "lastact.0.weight", "lastact.0.bias",
                            "classifier.weight", "classifier.bias"}));
  EXPECT_EQ(names.count("cells.17.conv_a.op.1.weight"), 0u);
  EXPECT_EQ(net->Description(), "NAS-Bench-201 network, 3 stages x 5 cells, 16-32-64 channels");
}

// Node j sums its edges: with skip_connect everywhere, node 1 = x, node 2 =
// x + x, node 3 = x + x + 2x = 4x; with none everywhere the cell is zero.
TEST(Nb201NetworkTest, ACellSumsItsEdgesNodeByNode) {
  const torch::Tensor x = torch::randn({2, 4, 5, 5});
  EXPECT_TRUE(torch::equal(Nb201NetworkCell(AllOf(kNb201Skip), 4)->forward(x), 4 * x));
  EXPECT_TRUE(
      torch::equal(Nb201NetworkCell(AllOf(kNb201None), 4)->forward(x), torch::zeros_like(x)));
  // Only 3<-0 computes: an average pool whose padded cells do not count,
  // so a constant image stays constant at its borders too.
  Nb201Cell pool = AllOf(kNb201None);
  pool.ops[3] = kNb201AvgPool;
  const torch::Tensor ones = torch::ones({1, 4, 5, 5});
  EXPECT_TRUE(torch::allclose(Nb201NetworkCell(pool, 4)->forward(ones), ones));
  // Only 3<-2 computes, on node 2, which is all `none`: zero.
  Nb201Cell chain = AllOf(kNb201None);
  chain.ops[5] = kNb201Skip;
  EXPECT_TRUE(torch::equal(Nb201NetworkCell(chain, 4)->forward(x), torch::zeros_like(x)));
}

// TinyNetwork(16, 5, genotype, 10)'s state_dict: InferCell names its edges
// layers.0 to layers.5 in the text form's order, leaving out parameter-free
// operations but not their index.
TEST(Nb201ReferenceStateTest, NamesAreTinyNetworksEachTensorOnce) {
  Nb201Network net(Parse("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+"
                         "|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"),
                   Nb201NetworkOptions());
  const NamedTensors reference = net->ReferenceStateDict();
  const NamedTensors own = StateDict(*net);
  ASSERT_EQ(reference.size(), own.size());
  std::vector<std::string> names;
  for (size_t i = 0; i < own.size(); ++i) {
    EXPECT_TRUE(reference[i].second.is_same(own[i].second)) << reference[i].first;
    names.push_back(reference[i].first);
  }
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_THAT(names, IsSupersetOf({"stem.0.weight", "stem.1.num_batches_tracked",
                                   "cells.0.layers.0.op.1.weight", "cells.0.layers.2.op.1.weight",
                                   "cells.0.layers.5.op.2.running_var",
                                   "cells.5.conv_a.op.1.weight", "cells.5.downsample.1.weight",
                                   "cells.16.layers.5.op.2.num_batches_tracked", "lastact.0.weight",
                                   "classifier.bias"}));
  for (const std::string& name : names) EXPECT_EQ(name.find("edges"), std::string::npos) << name;
  EXPECT_EQ(names.front(), "stem.0.weight");
  EXPECT_EQ(names.back(), "classifier.bias");
}

}  // namespace
}  // namespace mdenas
