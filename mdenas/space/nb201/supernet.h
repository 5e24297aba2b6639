// The single-path supernet of the NAS-Bench-201 space: TinyNetwork
// (network.h) whose cells hold, on each edge, one module per operation,
// all cells sharing one path (an operation per edge); a forward pass runs
// only the operations the path picks, and a `none` edge adds nothing. The
// cells' BatchNorms have neither affine parameters nor running statistics
// (Nb201BatchNorm::kBatchStatistics), as in the benchmark's weight-sharing
// searches; the stem's, residual blocks' and head's are affine without
// running statistics (kAffineBatchStatistics), so that every path, whatever
// paths trained before it, is validated with its own statistics. For
// comparison, forward_mixed runs the DARTS-style supernet.
//
// Parameter names are the benchmark's search cells' (xautodl): operation
// k on edge j<-i of cell K is `cells.K.edges.<j<-i>.<k>.*`, k indexing
// Nb201Operations(); with a fixed path only the picked operations are
// built, under the same names.
//
//   Nb201Supernet net(Nb201SupernetOptions().channels(16).cells_per_stage(5));
//   torch::Tensor logits = net->forward(images, path);  // 6 operation indices

#ifndef MDENAS_SPACE_NB201_SUPERNET_H_
#define MDENAS_SPACE_NB201_SUPERNET_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "mdenas/nn/layers.h"
#include "mdenas/space/nb201/operations.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

struct Nb201SupernetOptions {
  // Image channels (3 for CIFAR, 1 for Fashion-MNIST).
  TORCH_ARG(int64_t, input_channels) = 3;
  TORCH_ARG(int64_t, num_classes) = 10;
  // Channels of the first stage (C).
  TORCH_ARG(int64_t, channels) = 16;
  // Cells per stage (N).
  TORCH_ARG(int64_t, cells_per_stage) = 5;
  // When set (an operation index per edge), build only the operations this
  // path picks: the stand-alone network of one sampled path, with the
  // parameter names it has in the full supernet. Its forward takes only
  // this path.
  TORCH_ARG(std::vector<int>, fixed_path) = {};
};

class Nb201SearchCellImpl : public torch::nn::Module {
 public:
  // `fixed_path`, when not empty, restricts each edge to that operation.
  Nb201SearchCellImpl(int64_t channels, absl::Span<const int> fixed_path);

  // Node j is the sum of the operations `path` picks on its edges.
  torch::Tensor forward(const torch::Tensor& input, absl::Span<const int> path);
  // Node j is the sum over its edges and their operations of the
  // operation's output weighted by `weights` [edges, operations].
  torch::Tensor forward_mixed(const torch::Tensor& input, const torch::Tensor& weights);

 private:
  // edge_ops_[edge][op]: null where the operation was not built.
  std::vector<std::vector<Nb201EdgeOperation>> edge_ops_;
};
TORCH_MODULE(Nb201SearchCell);

class Nb201SupernetImpl : public Supernet {
 public:
  explicit Nb201SupernetImpl(const Nb201SupernetOptions& options);

  // Logits of `images` through `path`: an operation index per edge, in
  // Nb201Edges() order, for every cell.
  torch::Tensor forward(const torch::Tensor& images, absl::Span<const int> path) override;

  // Logits of the mixed supernet with `weights` [6 edges, 5 operations],
  // the same in every cell. Not for networks built with a fixed path.
  torch::Tensor forward_mixed(const torch::Tensor& images, const torch::Tensor& weights) override;

 private:
  // The stem, then cell(search cell, state) for every cell and the
  // residual blocks between the stages, then the head.
  template <typename CellForward>
  torch::Tensor Compute(const torch::Tensor& images, CellForward&& cell_forward);

  torch::nn::Sequential stem_{nullptr};
  torch::nn::ModuleList cells_{nullptr};
  torch::nn::Sequential lastact_{nullptr};
  CountedLinear classifier_{nullptr};
};
TORCH_MODULE(Nb201Supernet);

}  // namespace mdenas

#endif  // MDENAS_SPACE_NB201_SUPERNET_H_
