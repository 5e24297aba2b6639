#include "mdenas/space/network_weights.h"

#include <torch/torch.h>

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/nn/weights_file.h"
#include "mdenas/space/spaces.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::shared_ptr<Network> Nb201(const std::string& cell) {
  NetworkSpec spec;
  spec.mutable_nb201()->set_channels(4);
  spec.mutable_nb201()->set_cells_per_stage(1);
  const std::unique_ptr<SearchSpace> space = *SearchSpaceOf(spec);
  return *space->MakeNetwork(*space->ParseArchitecture(cell), spec, NetworkInputs());
}

constexpr char kConvs[] =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|";

std::string Write(const std::string& name, const NamedTensors& tensors) {
  const std::string path = JoinPath(std::getenv("TEST_TMPDIR"), name);
  EXPECT_TRUE(WriteFileAtomically(path, WeightsFileBytes(tensors)).ok());
  return path;
}

torch::Tensor Logits(Network& network, const torch::Tensor& images) {
  network.eval();
  return network.forward(images).logits;
}

TEST(NetworkWeightsTest, ALoadedNetworkComputesAsTheSavedOne) {
  torch::manual_seed(0);
  const std::shared_ptr<Network> saved = Nb201(kConvs);
  const std::string path = JoinPath(std::getenv("TEST_TMPDIR"), "saved.pt");
  ASSERT_TRUE(WriteFileAtomically(path, NetworkWeightsBytes(*saved)).ok());
  const std::shared_ptr<Network> loaded = Nb201(kConvs);
  const torch::Tensor images = torch::randn({2, 3, 32, 32});
  ASSERT_FALSE(torch::equal(Logits(*loaded, images), Logits(*saved, images)));
  const absl::Status status = LoadNetworkWeights(path, loaded.get());
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_TRUE(torch::equal(Logits(*loaded, images), Logits(*saved, images)));
}

TEST(NetworkWeightsTest, NamesEveryMissingUnknownOrMisshapenKeyAndChangesNothing) {
  NamedTensors tensors;
  for (const auto& [name, tensor] : Nb201(kConvs)->ReferenceStateDict()) {
    tensors.emplace_back(name, tensor.detach().clone());
  }
  ASSERT_EQ(tensors[0].first, "stem.0.weight");
  tensors[0].second = torch::zeros({4, 3, 5, 5});
  tensors.erase(tensors.begin() + 1);  // stem.1.weight
  tensors.emplace_back("cells.0.layers.9.op.1.weight", torch::zeros({1}));
  const std::string path = Write("faulty.pt", tensors);

  const std::shared_ptr<Network> network = Nb201(kConvs);
  const NamedTensors before = StateDict(*network);
  std::vector<torch::Tensor> copies;
  for (const auto& [name, tensor] : before) copies.push_back(tensor.clone());
  const absl::Status status = LoadNetworkWeights(path, network.get());
  const std::string message(status.message());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      message,
      HasSubstr(path + ": key 'stem.0.weight' has shape [4, 3, 5, 5], the network [4, 3, 3, 3]"));
  EXPECT_THAT(message, HasSubstr(path + ": no key 'stem.1.weight' (shape [4])"));
  EXPECT_THAT(message,
              HasSubstr(path + ": key 'cells.0.layers.9.op.1.weight' is not the network's"));
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_TRUE(torch::equal(before[i].second, copies[i])) << before[i].first;
  }
}

// A cell with other operations has other keys: an architecture's weights
// fit only networks of that architecture.
TEST(NetworkWeightsTest, RefusesAnotherArchitecturesWeights) {
  const std::string path = JoinPath(std::getenv("TEST_TMPDIR"), "convs.pt");
  ASSERT_TRUE(WriteFileAtomically(path, NetworkWeightsBytes(*Nb201(kConvs))).ok());
  const std::shared_ptr<Network> pools = Nb201(
      "|avg_pool_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|");
  const absl::Status status = LoadNetworkWeights(path, pools.get());
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("key 'cells.0.layers.0.op.1.weight' is not the network's"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("no key")));
}

TEST(NetworkWeightsTest, AFileThatIsNoWeightsFileIsAnError) {
  const std::string path = JoinPath(std::getenv("TEST_TMPDIR"), "notes.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "weights").ok());
  EXPECT_THAT(std::string(LoadNetworkWeights(path, Nb201(kConvs).get()).message()),
              HasSubstr(path + ": not a PyTorch zip file"));
}

}  // namespace
}  // namespace mdenas
