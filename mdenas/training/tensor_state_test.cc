#include "mdenas/training/tensor_state.h"

#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

std::string LoadError(const TensorMapProto& state, torch::nn::Module* module) {
  return std::string(LoadModuleState(state, module).message());
}

TEST(TensorStateTest, ModuleStateRoundTripsParametersAndBuffers) {
  torch::manual_seed(0);
  torch::nn::Sequential source(torch::nn::Linear(4, 3), torch::nn::BatchNorm1d(3));
  source->forward(torch::randn({8, 4}));  // Moves the running statistics.
  torch::nn::Sequential copy(torch::nn::Linear(4, 3), torch::nn::BatchNorm1d(3));
  ASSERT_EQ(LoadError(ModuleState(*source), copy.get()), "");
  for (const auto& item : source->named_buffers()) {
    EXPECT_TRUE(torch::equal(item.value(), copy->named_buffers()[item.key()]))
        << item.key();
  }
  for (const auto& item : source->named_parameters()) {
    EXPECT_TRUE(torch::equal(item.value(), copy->named_parameters()[item.key()]));
  }
}

TEST(TensorStateTest, MismatchedStatesAreErrors) {
  torch::nn::Linear small(4, 3);
  torch::nn::Linear large(5, 3);
  EXPECT_THAT(LoadError(ModuleState(*small), large.get()),
              HasSubstr("tensor 'weight' has shape [3, 4], expected [3, 5]"));
  torch::nn::Linear no_bias(torch::nn::LinearOptions(4, 3).bias(false));
  EXPECT_THAT(LoadError(ModuleState(*no_bias), small.get()),
              HasSubstr("holds 1 tensors, the network has 2"));
  TensorMapProto renamed = ModuleState(*small);
  renamed.mutable_tensors(0)->set_name("weights");
  EXPECT_THAT(LoadError(renamed, small.get()), HasSubstr("no tensor 'weight'"));
  TensorMapProto short_data = ModuleState(*small);
  short_data.mutable_tensors(0)->mutable_data()->resize(7);
  EXPECT_THAT(LoadError(short_data, small.get()), HasSubstr("wrong type or size"));
}

TEST(TensorStateTest, SgdMomentumRoundTrips) {
  torch::manual_seed(1);
  torch::nn::Linear source(4, 3);
  torch::optim::SGD sgd(source->parameters(),
                        torch::optim::SGDOptions(0.1).momentum(0.9));
  source->forward(torch::randn({2, 4})).sum().backward();
  sgd.step();

  torch::nn::Linear copy(4, 3);
  ASSERT_TRUE(LoadModuleState(ModuleState(*source), copy.get()).ok());
  torch::optim::SGD copy_sgd(copy->parameters(),
                             torch::optim::SGDOptions(0.1).momentum(0.9));
  ASSERT_TRUE(LoadSgdState(SgdState(sgd), &copy_sgd).ok());
  for (torch::nn::Linear* net : {&source, &copy}) {
    (*net)->zero_grad();
    (*net)->forward(torch::ones({1, 4})).sum().backward();
  }
  sgd.step();
  copy_sgd.step();
  EXPECT_TRUE(torch::equal(copy->weight, source->weight));
  EXPECT_TRUE(torch::equal(copy->bias, source->bias));

  torch::nn::Linear other(2, 2);
  torch::optim::SGD other_sgd(other->parameters(), torch::optim::SGDOptions(0.1));
  EXPECT_FALSE(LoadSgdState(SgdState(sgd), &other_sgd).ok());
}

TEST(TensorStateTest, GeneratorStateReplaysTheSameNumbers) {
  torch::manual_seed(3);
  const std::string state = CpuGeneratorState();
  const torch::Tensor first = torch::rand({5});
  ASSERT_TRUE(LoadCpuGeneratorState(state).ok());
  EXPECT_TRUE(torch::equal(torch::rand({5}), first));
  EXPECT_THAT(std::string(LoadCpuGeneratorState("short").message()),
              HasSubstr("random generator state has 5 bytes"));
}

}  // namespace
}  // namespace mdenas
