// The single-path supernet of the DARTS space (MDENAS_SPEC.md §1.3): a
// stack of cells in which every edge holds one module per candidate
// operation, and a forward pass that runs only the operation the sampled
// path picks on each edge. Unpicked operations cost no compute and hold no
// activations, so the learner may change the path every batch. For
// comparison, forward_mixed runs the DARTS-style supernet: every operation
// on every edge, mixed.
//
//   DartsSupernet net(DartsSupernetOptions().layers(8).init_channels(16));
//   std::vector<int> path = ...;  // One op index per edge: normal, reduce.
//   torch::Tensor logits = net->forward(images, path);

#ifndef MDENAS_SPACE_DARTS_SUPERNET_H_
#define MDENAS_SPACE_DARTS_SUPERNET_H_

#include <optional>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/pimpl.h>

#include "absl/types/span.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/space/darts/primitives.h"
#include "mdenas/nn/layers.h"
#include "mdenas/space/darts/operations.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

struct FusedCellSpec;

struct DartsSupernetOptions {
  // Image channels (3 for CIFAR, 1 for Fashion-MNIST).
  TORCH_ARG(int64_t, input_channels) = 3;
  TORCH_ARG(int64_t, num_classes) = 10;
  // Cells; reduction cells at layers/3 and 2*layers/3.
  TORCH_ARG(int64_t, layers) = 8;
  // Channels of the first cells; they double at each reduction. The stem
  // has three times as many.
  TORCH_ARG(int64_t, init_channels) = 16;
  // Intermediate nodes per cell.
  TORCH_ARG(int64_t, nodes) = 4;
  // Candidate operations on every edge; a path holds indices into this list.
  TORCH_ARG(std::vector<std::string>, operations) = DartsOperations();
  // When set, build only the operations this path picks: the stand-alone
  // network of one sampled architecture, with the same parameter names as in
  // the full supernet. Its forward takes only this path.
  TORCH_ARG(std::vector<int>, fixed_path) = {};
  // The kernels of the cell operations and the stem's BatchNorm
  // (OperationOptions::kernels). Default: fast.
  TORCH_ARG(Kernels, kernels) = Kernels::kFast;
};

// One cell type's edges of a path: the operation index of each edge.
using CellPath = absl::Span<const int>;

class DartsSearchCellImpl : public torch::nn::Module {
 public:
  // `fixed_ops`, when not empty, restricts each edge to that one operation.
  DartsSearchCellImpl(const DartsSupernetOptions& options, int64_t channels_prev_prev,
                 int64_t channels_prev, int64_t channels, bool reduction,
                 bool reduction_prev, CellPath fixed_ops);

  torch::Tensor forward(const torch::Tensor& s0, const torch::Tensor& s1,
                        CellPath ops);

  // Every edge's operations, weighted by `weights` [edges, operations].
  torch::Tensor forward_mixed(const torch::Tensor& s0, const torch::Tensor& s1,
                              const torch::Tensor& weights);

  bool reduction() const { return reduction_; }

 private:
  // The preprocessed inputs, then each node from its edges' outputs, which
  // edge_output(edge, input state) gives; the nodes concatenated.
  template <typename EdgeOutput>
  torch::Tensor Compute(const torch::Tensor& s0, const torch::Tensor& s1,
                        EdgeOutput&& edge_output);
  // The operation `ops` picks on `edge`, which this network must have.
  const Operation& PickedOperation(int edge, CellPath ops) const;
  // The path as one fused cell (fast kernels: FusedCell), or nullopt where
  // an operation on it has no fused form.
  std::optional<FusedCellSpec> FusedSpec(CellPath ops);
  // The multiply-accumulates of the path's operations, which FusedCell
  // computed, on inputs s1 and an output `output`.
  void CountFusedMacs(CellPath ops, const torch::Tensor& s1,
                      const torch::Tensor& output) const;

  int64_t nodes_;
  int64_t channels_;
  bool reduction_;
  Kernels kernels_;
  Operation preprocess0_;
  ReLUConvBN preprocess1_{nullptr};
  // edge_ops_[edge][op]: null where the operation was not built.
  std::vector<std::vector<Operation>> edge_ops_;
};
TORCH_MODULE(DartsSearchCell);

class DartsSupernetImpl : public Supernet {
 public:
  explicit DartsSupernetImpl(const DartsSupernetOptions& options);

  // Logits for `images` through `path`: edges_per_cell() operation indices
  // for the normal cells, then as many for the reduction cells.
  torch::Tensor forward(const torch::Tensor& images,
                        absl::Span<const int> path) override;

  // Logits of the DARTS-style supernet: each edge's output is the sum of
  // all its operations' outputs weighted by `weights` [2 * edges_per_cell(),
  // operations] (normal-cell edges, then reduction-cell edges; DARTS uses
  // softmax(alpha)). Costs every operation's compute and activations; a
  // one-hot row picks that edge's operation as forward() does. Not for
  // networks built with a fixed_path.
  torch::Tensor forward_mixed(const torch::Tensor& images,
                              const torch::Tensor& weights) override;

  int64_t edges_per_cell() const { return CellEdgeCount(options_.nodes()); }
  const DartsSupernetOptions& options() const { return options_; }

 private:
  // Runs the stem, then cell(cell, s0, s1) for every cell, then the
  // classifier.
  template <typename CellForward>
  torch::Tensor Compute(const torch::Tensor& images, CellForward&& cell);

  DartsSupernetOptions options_;
  CountedConv2d stem_conv_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr};
  std::vector<DartsSearchCell> cells_;
  CountedLinear classifier_{nullptr};
};
TORCH_MODULE(DartsSupernet);

// The name under which a supernet registers the module of operation
// `op_name` on cell edge `edge` ("edge5_sep_conv_3x3"); parameter names are
// "cell<i>.<this>.<...>".
std::string EdgeOperationName(int edge, const std::string& op_name);

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_SUPERNET_H_
