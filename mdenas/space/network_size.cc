#include "mdenas/space/network_size.h"

#include <torch/torch.h>

#include "mdenas/nn/layers.h"

namespace mdenas {

int64_t NetworkMacs(Network& network, const NetworkInputs& inputs) {
  torch::NoGradGuard no_grad;
  const bool was_training = network.is_training();
  network.eval();
  MacCounter counter;
  network.forward(torch::zeros({1, inputs.channels, inputs.height, inputs.width}));
  network.train(was_training);
  return counter.total();
}

}  // namespace mdenas
