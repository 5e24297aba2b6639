// The stand-alone network of a NAS-Bench-201 cell, for retraining and
// testing: the benchmark's TinyNetwork (paper/NB201.md). A stem (3x3 conv,
// BN), three stages of N cells at C, 2C and 4C channels, all of one cell,
// with a residual block of stride 2 between stages; then BN, ReLU, global
// average pooling and a linear classifier. BatchNorm is affine with running
// statistics throughout.
//
// Parameter names follow the benchmark's code (xautodl) where it is
// practical: `stem.*`, `cells.K.*` (K counts the residual blocks too, as
// TinyNetwork's `cells` does), `lastact.0.*`, `classifier.*`. A cell's edge
// is `cells.K.edges.<j<-i>.*`, as in the benchmark's search cells (its
// stand-alone InferCell calls the same module `layers.<edge index>`, in the
// same edge order); the supernet adds the operation's index after it.
//
//   Nb201Network net(cell, Nb201NetworkOptions().channels(16).cells_per_stage(5));
//   torch::Tensor logits = net->forward(images).logits;

#ifndef MDENAS_SPACE_NB201_NETWORK_H_
#define MDENAS_SPACE_NB201_NETWORK_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mdenas/nn/layers.h"
#include "mdenas/nn/state_dict.h"
#include "mdenas/space/nb201/cell.h"
#include "mdenas/space/nb201/operations.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

struct Nb201NetworkOptions {
  // Image channels (3 for CIFAR, 1 for Fashion-MNIST).
  TORCH_ARG(int64_t, input_channels) = 3;
  TORCH_ARG(int64_t, num_classes) = 10;
  // Channels of the first stage (C).
  TORCH_ARG(int64_t, channels) = 16;
  // Cells per stage (N).
  TORCH_ARG(int64_t, cells_per_stage) = 5;
};

// One cell of `channels` channels: node 0 its input, node j the sum of
// its edges from the earlier nodes (zeros where every one is `none`), node
// 3 its output.
class Nb201NetworkCellImpl : public torch::nn::Module {
 public:
  Nb201NetworkCellImpl(const Nb201Cell& cell, int64_t channels);
  torch::Tensor forward(const torch::Tensor& input);

 private:
  std::vector<Nb201EdgeOperation> edges_;
};
TORCH_MODULE(Nb201NetworkCell);

class Nb201NetworkImpl : public Network {
 public:
  Nb201NetworkImpl(const Nb201Cell& cell, const Nb201NetworkOptions& options);

  NetworkOutput forward(const torch::Tensor& images) override;

  // "NAS-Bench-201 network, 3 stages x 5 cells, 16-32-64 channels"
  std::string Description() const override;

  // TinyNetwork's names: this network's, with a cell's edge
  // `cells.K.edges.<j<-i>` as InferCell's `cells.K.layers.<edge index>`.
  NamedTensors ReferenceStateDict() const override;

 private:
  Nb201NetworkOptions options_;
  torch::nn::Sequential stem_{nullptr};
  torch::nn::Sequential cells_{nullptr};
  torch::nn::Sequential lastact_{nullptr};
  CountedLinear classifier_{nullptr};
};
TORCH_MODULE(Nb201Network);

}  // namespace mdenas

#endif  // MDENAS_SPACE_NB201_NETWORK_H_
