#include "mdenas/kernels/cell_joins.h"

#include <string>
#include <vector>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mdenas/kernels/kernel_test_util.h"

namespace mdenas {
namespace {

TEST(CellJoinsTest, FastSumEqualsAtenForAnyCountAndLayouts) {
  torch::manual_seed(0);
  for (int count : {1, 2, 5}) {
    std::vector<at::Tensor> terms;
    for (int i = 0; i < count; ++i) {
      terms.push_back(InLayout(torch::randn({2, 7, 5, 3}), kAllLayouts[i % 3]));
    }
    auto sum = [](Kernels kernels) {
      return [kernels](const std::vector<at::Tensor>& in) { return SumOf(in, kernels); };
    };
    const ForwardBackward aten = RunWithGradients(sum(Kernels::kAten), terms);
    const ForwardBackward fast = RunWithGradients(sum(Kernels::kFast), terms, kFastThreads);
    EXPECT_TRUE(TensorsNear(fast.output, aten.output, 1e-6, 1e-6)) << count << " terms";
    for (int i = 0; i < count; ++i) {
      EXPECT_TRUE(TensorsNear(fast.grads[i], aten.grads[i], 0, 0)) << count << " terms";
    }
  }
}

TEST(CellJoinsTest, FastConcatEqualsAten) {
  torch::manual_seed(1);
  const std::vector<at::Tensor> parts = {InLayout(torch::randn({2, 3, 4, 5}), Layout::kNchw),
                                         InLayout(torch::randn({2, 16, 4, 5}), Layout::kChannelSlice),
                                         InLayout(torch::randn({2, 1, 4, 5}), Layout::kChannelsLast)};
  auto concat = [](Kernels kernels) {
    return [kernels](const std::vector<at::Tensor>& in) { return ConcatChannels(in, kernels); };
  };
  const ForwardBackward aten = RunWithGradients(concat(Kernels::kAten), parts);
  const ForwardBackward fast = RunWithGradients(concat(Kernels::kFast), parts, kFastThreads);
  EXPECT_TRUE(TensorsNear(fast.output, aten.output, 0, 0));
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_TRUE(TensorsNear(fast.grads[i], aten.grads[i], 0, 0)) << i;
  }
}

// Nodes summed into a cell's output buffer, then concatenated: ATen's
// values and gradients, and the concatenation is the buffer itself.
TEST(CellJoinsTest, NodesSummedIntoTheCellOutputConcatenateWithoutACopy) {
  torch::manual_seed(3);
  std::vector<at::Tensor> terms;
  for (int i = 0; i < 5; ++i) {
    terms.push_back(InLayout(torch::randn({2, 3, 4, 5}), kAllLayouts[i % 3]));
  }
  auto cell = [](Kernels kernels, at::Tensor* buffer) {
    return [kernels, buffer](const std::vector<at::Tensor>& in) {
      *buffer = CellOutputBuffer(in[0], 3, kernels);
      const std::vector<at::Tensor> nodes = {SumInto({in[0], in[1]}, *buffer, 0, kernels),
                                             SumInto({in[2]}, *buffer, 1, kernels),
                                             SumInto({in[3], in[4], in[0]}, *buffer, 2, kernels)};
      // Weights tell the nodes' gradients apart.
      return ConcatChannels(nodes, kernels) * torch::arange(9.0).reshape({1, 9, 1, 1});
    };
  };
  at::Tensor aten_buffer, fast_buffer;
  const ForwardBackward aten = RunWithGradients(cell(Kernels::kAten, &aten_buffer), terms);
  const ForwardBackward fast =
      RunWithGradients(cell(Kernels::kFast, &fast_buffer), terms, kFastThreads);
  EXPECT_FALSE(aten_buffer.defined());
  ASSERT_TRUE(fast_buffer.defined());
  EXPECT_TRUE(TensorsNear(fast.output, aten.output, 1e-6, 1e-6));
  for (size_t i = 0; i < terms.size(); ++i) {
    EXPECT_TRUE(TensorsNear(fast.grads[i], aten.grads[i], 1e-6, 1e-6)) << i;
  }
  const at::Tensor nodes = CellOutputBuffer(terms[0], 2, Kernels::kFast);
  const at::Tensor concatenated = ConcatChannels(
      {SumInto({terms[0]}, nodes, 0, Kernels::kFast), SumInto({terms[1]}, nodes, 1, Kernels::kFast)},
      Kernels::kFast);
  EXPECT_EQ(concatenated.data_ptr(), nodes.data_ptr());
  EXPECT_TRUE(torch::equal(concatenated, torch::cat({terms[0], terms[1]}, 1)));
}

TEST(CellJoinsTest, RejectMismatchedShapes) {
  const std::vector<at::Tensor> terms = {torch::randn({1, 2, 3, 3}), torch::randn({1, 2, 3, 4})};
  EXPECT_THROW(SumOf(terms, Kernels::kFast), c10::Error);
  EXPECT_THROW(ConcatChannels(terms, Kernels::kFast), c10::Error);
  // Nodes go into a channels-last buffer only (CellOutputBuffer's).
  const at::Tensor nchw_buffer = torch::empty({1, 4, 3, 3});
  EXPECT_THROW(SumInto({terms[0]}, nchw_buffer, 0, Kernels::kFast), c10::Error);
}

}  // namespace
}  // namespace mdenas
