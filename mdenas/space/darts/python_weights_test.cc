// Weights cross between this network and an independent Python version of
// DARTS's NetworkCIFAR (darts_reference.py), run by Debian's python3-torch:
// each side's weights give the other side's logits.

#include <torch/torch.h>

#include <cstdlib>

#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/nn/weights_file.h"
#include "mdenas/space/darts/genotype.h"
#include "mdenas/space/darts/network.h"
#include "mdenas/space/darts/test_genotypes.h"
#include "mdenas/space/network_weights.h"

namespace mdenas {
namespace {

// NetworkCIFAR(8, 10, 5, True, genotype), as the script builds it.
DartsNetwork Network() {
  DartsNetwork net(*ParseDartsGenotype(kEveryOperationGenotype),
                   DartsNetworkOptions().layers(5).init_channels(8).auxiliary(true));
  net->eval();
  return net;
}

// BatchNorm statistics and affine parameters away from their initial
// values, so that the logits depend on every one of them.
void RandomizeBatchNorms(DartsNetworkImpl& net) {
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : net.ReferenceStateDict()) {
    if (tensor.dim() != 1) continue;
    if (name.find("running_var") != std::string::npos) {
      tensor.uniform_(0.5, 1.5);
    } else if (name.find("running_mean") != std::string::npos ||
               name.find("bias") != std::string::npos) {
      tensor.uniform_(-0.5, 0.5);
    } else {
      tensor.uniform_(0.5, 1.5);
    }
  }
}

double MaxDifference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

TEST(PythonWeightsTest, PythonAndCppComputeTheSameLogitsFromEachOthersWeights) {
  torch::manual_seed(0);
  DartsNetwork cc = Network();
  RandomizeBatchNorms(*cc);
  const torch::Tensor images = torch::randn({2, 3, 32, 32});
  const std::string dir = JoinPath(std::getenv("TEST_TMPDIR"), "python_weights");
  ASSERT_TRUE(MakeDirectories(dir).ok());
  ASSERT_TRUE(WriteFileAtomically(JoinPath(dir, "weights.pt"), NetworkWeightsBytes(*cc)).ok());
  ASSERT_TRUE(
      WriteFileAtomically(JoinPath(dir, "input.pt"), WeightsFileBytes({{"input", images}})).ok());

  const absl::StatusOr<std::string> script =
      RunfilePath(nullptr, "mdenas/space/darts/darts_reference.py");
  ASSERT_TRUE(script.ok()) << script.status();
  const ProcessResult python =
      RunProcess({"/usr/bin/python3", *script, std::string("--genotype=") + kEveryOperationGenotype,
                  "--dir=" + dir});
  ASSERT_TRUE(python.exited && python.exit_code == 0) << python.output;

  const absl::StatusOr<NamedTensors> logits = ReadWeightsFile(JoinPath(dir, "logits.pt"));
  ASSERT_TRUE(logits.ok()) << logits.status();
  ASSERT_EQ(logits->size(), 2);
  EXPECT_EQ((*logits)[0].first, "of_weights");
  const torch::Tensor expected = cc->forward(images).logits;
  EXPECT_LT(MaxDifference((*logits)[0].second, expected), 1e-4) << (*logits)[0].second << "\n"
                                                                << expected;

  DartsNetwork from_python = Network();
  const absl::Status loaded = LoadNetworkWeights(JoinPath(dir, "python_state.pt"), &*from_python);
  ASSERT_TRUE(loaded.ok()) << loaded;
  EXPECT_EQ((*logits)[1].first, "of_python_state");
  const torch::Tensor actual = from_python->forward(images).logits;
  EXPECT_LT(MaxDifference(actual, (*logits)[1].second), 1e-4) << actual << "\n"
                                                              << (*logits)[1].second;
  // The Python model's own logits differ from the C++ weights' ones: the
  // comparison above is not vacuous.
  EXPECT_GT(MaxDifference(actual, expected), 1e-2);
}

}  // namespace
}  // namespace mdenas
