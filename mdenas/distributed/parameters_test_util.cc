#include "mdenas/distributed/parameters_test_util.h"

#include <torch/torch.h>

#include <algorithm>
#include <iterator>

namespace mdenas {

std::vector<torch::Tensor> TestParameters(int rank, bool drop_last_gradient) {
  const std::vector<std::vector<int64_t>> shapes = {{16, 3, 3, 3}, {16}, {16},     {32, 16, 1, 1},
                                                    {32},          {7},  {5, 5},   {64, 32},
                                                    {64},          {1},  {10, 64}, {10}};
  torch::manual_seed(1000 + rank);
  std::vector<torch::Tensor> parameters;
  for (size_t i = 0; i < shapes.size(); ++i) {
    torch::Tensor parameter = torch::randn(shapes[i]).requires_grad_();
    const bool off_path =
        std::find(std::begin(kParametersWithoutGradient), std::end(kParametersWithoutGradient),
                  static_cast<int>(i)) != std::end(kParametersWithoutGradient);
    const bool dropped = drop_last_gradient && i + 1 == shapes.size();
    if (!off_path && !dropped) parameter.mutable_grad() = torch::randn(shapes[i]);
    parameters.push_back(parameter);
  }
  return parameters;
}

}  // namespace mdenas
