#include "mdenas/nn/state_dict.h"

#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Names(const NamedTensors& state) {
  std::vector<std::string> names;
  for (const auto& [name, tensor] : state) names.push_back(name);
  return names;
}

// Python 1.13 lists nn.Sequential(nn.Conv2d(3, 4, 3, bias=False),
// nn.BatchNorm2d(4), nn.Linear(4, 2))'s state_dict in this order.
TEST(StateDictTest, ListsNamesInPythonsOrder) {
  torch::nn::Sequential net(torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3).bias(false)),
                            torch::nn::BatchNorm2d(4), torch::nn::Linear(4, 2));
  EXPECT_THAT(Names(StateDict(*net)),
              ElementsAre("0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                          "1.num_batches_tracked", "2.weight", "2.bias"));
}

TEST(StateDictTest, HoldsTheModulesOwnTensors) {
  torch::nn::Linear linear(2, 3);
  const NamedTensors state = StateDict(*linear);
  ASSERT_EQ(state.size(), 2);
  EXPECT_TRUE(state[0].second.is_same(linear->weight));
  EXPECT_TRUE(state[1].second.is_same(linear->bias));
}

}  // namespace
}  // namespace mdenas
