#include "mdenas/space/darts/supernet.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "mdenas/kernels/batch_norm.h"
#include "mdenas/kernels/cell_joins.h"
#include "mdenas/kernels/fused_cell.h"

namespace mdenas {

std::string EdgeOperationName(int edge, const std::string& op_name) {
  return absl::StrCat("edge", edge, "_", op_name);
}

DartsSearchCellImpl::DartsSearchCellImpl(const DartsSupernetOptions& options,
                               int64_t channels_prev_prev,
                               int64_t channels_prev, int64_t channels,
                               bool reduction, bool reduction_prev,
                               CellPath fixed_ops)
    : nodes_(options.nodes()),
      channels_(channels),
      reduction_(reduction),
      kernels_(options.kernels()) {
  // The search network's BatchNorms have no affine parameters (DARTS).
  const auto op_options = OperationOptions()
                              .affine(false)
                              .pool_bn(true)
                              .kernels(options.kernels());
  preprocess0_ = register_module(
      "preprocess0",
      OlderInputPreprocessing(channels_prev_prev, channels, reduction_prev, op_options));
  preprocess1_ = register_module(
      "preprocess1", ReLUConvBN(channels_prev, channels, 1, op_options));
  const int edges = CellEdgeCount(static_cast<int>(nodes_));
  edge_ops_.resize(edges);
  for (int edge = 0; edge < edges; ++edge) {
    // Edges that read the cell inputs carry a reduction cell's stride.
    const int64_t stride = reduction && CellEdgeAt(edge).input < 2 ? 2 : 1;
    const std::vector<std::string>& names = options.operations();
    edge_ops_[edge].resize(names.size());
    for (size_t op = 0; op < names.size(); ++op) {
      if (!fixed_ops.empty() && fixed_ops[edge] != static_cast<int>(op)) {
        continue;
      }
      edge_ops_[edge][op] = register_module(
          EdgeOperationName(edge, names[op]),
          MakeOperation(names[op], channels, stride, op_options));
    }
  }
}

template <typename EdgeOutput>
torch::Tensor DartsSearchCellImpl::Compute(const torch::Tensor& s0,
                                      const torch::Tensor& s1,
                                      EdgeOutput&& edge_output) {
  std::vector<torch::Tensor> states = {preprocess0_->forward(s0),
                                       preprocess1_->forward(s1)};
  // The nodes' sums go straight into the cell's output (fast kernels).
  torch::Tensor output;
  int edge = 0;
  for (int node = 2; node < nodes_ + 2; ++node) {
    std::vector<torch::Tensor> terms;
    for (int input = 0; input < node; ++input, ++edge) {
      torch::Tensor out = edge_output(edge, states[input]);
      if (out.defined()) terms.push_back(std::move(out));
    }
    if (terms.empty()) {
      // Every edge into this node contributed nothing (picked `none`).
      const torch::Tensor& like = states[1];
      const int64_t divisor = reduction_ ? 2 : 1;
      states.push_back(torch::zeros({like.size(0), channels_,
                                     (like.size(2) + divisor - 1) / divisor,
                                     (like.size(3) + divisor - 1) / divisor},
                                    like.options()));
      continue;
    }
    if (!output.defined()) output = CellOutputBuffer(terms[0], nodes_, kernels_);
    states.push_back(SumInto(terms, output, node - 2, kernels_));
  }
  return ConcatChannels(
      std::vector<torch::Tensor>(states.begin() + 2, states.end()), kernels_);
}

const Operation& DartsSearchCellImpl::PickedOperation(int edge, CellPath ops) const {
  const Operation& op = edge_ops_[edge][ops[edge]];
  TORCH_CHECK(op != nullptr, "operation ", ops[edge], " on edge ", edge,
              " is not part of this network");
  return op;
}

std::optional<FusedCellSpec> DartsSearchCellImpl::FusedSpec(CellPath ops) {
  std::optional<FusedOperation> preprocess0 = preprocess0_->fused();
  std::optional<FusedOperation> preprocess1 = preprocess1_->fused();
  if (!preprocess0 || !preprocess1) return std::nullopt;
  FusedCellSpec spec;
  spec.inputs = {preprocess0->convs.at(0), preprocess1->convs.at(0)};
  spec.nodes = static_cast<int>(nodes_);
  spec.channels = channels_;
  spec.input_stride = reduction_ ? 2 : 1;
  int edge = 0;
  for (int node = 2; node < nodes_ + 2; ++node) {
    for (int input = 0; input < node; ++input, ++edge) {
      const Operation& op = PickedOperation(edge, ops);
      if (op->is_zero()) continue;
      std::optional<FusedOperation> fused = op->fused();
      if (!fused) return std::nullopt;
      spec.edges.push_back({input, node, std::move(*fused)});
    }
  }
  return spec;
}

void DartsSearchCellImpl::CountFusedMacs(CellPath ops, const torch::Tensor& s1,
                                    const torch::Tensor& output) const {
  // The preprocessed states keep s1's size; every edge's output is a node's.
  const int64_t state_elements = output.size(0) * channels_ * s1.size(2) * s1.size(3);
  preprocess0_->CountMacs(state_elements);
  preprocess1_->CountMacs(state_elements);
  for (int edge = 0; edge < static_cast<int>(ops.size()); ++edge) {
    PickedOperation(edge, ops)->CountMacs(output.numel() / nodes_);
  }
}

torch::Tensor DartsSearchCellImpl::forward(const torch::Tensor& s0,
                                      const torch::Tensor& s1, CellPath ops) {
  // The fused cell is the CPU kernels' (on CUDA the operations run one by
  // one).
  if (kernels_ == Kernels::kFast && s1.is_cpu()) {
    if (std::optional<FusedCellSpec> spec = FusedSpec(ops)) {
      torch::Tensor output = FusedCell({s0, s1}, *spec);
      CountFusedMacs(ops, s1, output);
      return output;
    }
  }
  return Compute(s0, s1, [&](int edge, const torch::Tensor& state) {
    const Operation& op = PickedOperation(edge, ops);
    // A zero operation adds nothing; skipping it saves its compute.
    return op->is_zero() ? torch::Tensor() : op->forward(state);
  });
}

torch::Tensor DartsSearchCellImpl::forward_mixed(const torch::Tensor& s0,
                                            const torch::Tensor& s1,
                                            const torch::Tensor& weights) {
  return Compute(s0, s1, [&](int edge, const torch::Tensor& state) {
    std::vector<torch::Tensor> terms;
    for (size_t op = 0; op < edge_ops_[edge].size(); ++op) {
      const Operation& operation = edge_ops_[edge][op];
      TORCH_CHECK(operation != nullptr,
                  "forward_mixed needs every operation; this network was "
                  "built for a fixed path");
      if (operation->is_zero()) continue;
      terms.push_back(operation->forward(state) * weights[edge][op]);
    }
    return terms.empty() ? torch::Tensor() : SumOf(terms, kernels_);
  });
}

DartsSupernetImpl::DartsSupernetImpl(const DartsSupernetOptions& options)
    : options_(options) {
  const int64_t edges = edges_per_cell();
  const std::vector<int>& fixed = options.fixed_path();
  TORCH_CHECK(fixed.empty() || static_cast<int64_t>(fixed.size()) == 2 * edges,
              "fixed_path has ", fixed.size(), " entries, expected ",
              2 * edges);
  constexpr int64_t kStemMultiplier = 3;
  int64_t channels = options.init_channels();
  const int64_t stem_channels = kStemMultiplier * channels;
  stem_conv_ = register_module(
      "stem_conv", Conv(options.input_channels(), stem_channels, 3, 1, 1));
  stem_bn_ = register_module("stem_bn", torch::nn::BatchNorm2d(stem_channels));
  int64_t channels_prev_prev = stem_channels;
  int64_t channels_prev = stem_channels;
  bool reduction_prev = false;
  for (int64_t i = 0; i < options.layers(); ++i) {
    const bool reduction = IsReductionCell(static_cast<int>(i),
                                           static_cast<int>(options.layers()));
    if (reduction) channels *= 2;
    CellPath fixed_ops;
    if (!fixed.empty()) {
      fixed_ops = CellPath(fixed.data() + (reduction ? edges : 0), edges);
    }
    cells_.push_back(register_module(
        absl::StrCat("cell", i),
        DartsSearchCell(options, channels_prev_prev, channels_prev, channels,
                   reduction, reduction_prev, fixed_ops)));
    reduction_prev = reduction;
    channels_prev_prev = channels_prev;
    channels_prev = options.nodes() * channels;
  }
  classifier_ = register_module(
      "classifier",
      CountedLinear(torch::nn::LinearOptions(channels_prev,
                                             options.num_classes())));
}

template <typename CellForward>
torch::Tensor DartsSupernetImpl::Compute(const torch::Tensor& images,
                                    CellForward&& cell_forward) {
  // The fast kernels work in channels-last layout; so does the stem's
  // convolution then.
  const torch::Tensor input =
      options_.kernels() == Kernels::kFast
          ? images.contiguous(torch::MemoryFormat::ChannelsLast)
          : images;
  torch::Tensor s0 = BatchNorm2d(stem_conv_->forward(input),
                                 BatchNormArgsOf(*stem_bn_), options_.kernels());
  torch::Tensor s1 = s0;
  for (DartsSearchCell& cell : cells_) {
    torch::Tensor next = cell_forward(cell, s0, s1);
    s0 = std::move(s1);
    s1 = std::move(next);
  }
  const torch::Tensor pooled =
      torch::adaptive_avg_pool2d(s1, {1, 1}).flatten(1);
  return classifier_->forward(pooled);
}

torch::Tensor DartsSupernetImpl::forward(const torch::Tensor& images,
                                    absl::Span<const int> path) {
  const int64_t edges = edges_per_cell();
  TORCH_CHECK(static_cast<int64_t>(path.size()) == 2 * edges, "path has ",
              path.size(), " entries, expected ", 2 * edges);
  const int64_t op_count = static_cast<int64_t>(options_.operations().size());
  for (int op : path) {
    TORCH_CHECK(op >= 0 && op < op_count, "path holds operation index ", op,
                ", outside 0..", op_count - 1);
  }
  const CellPath normal = path.subspan(0, edges);
  const CellPath reduce = path.subspan(edges, edges);
  return Compute(images, [&](DartsSearchCell& cell, const torch::Tensor& s0,
                             const torch::Tensor& s1) {
    return cell->forward(s0, s1, cell->reduction() ? reduce : normal);
  });
}

torch::Tensor DartsSupernetImpl::forward_mixed(const torch::Tensor& images,
                                          const torch::Tensor& weights) {
  const int64_t edges = edges_per_cell();
  const int64_t op_count = static_cast<int64_t>(options_.operations().size());
  TORCH_CHECK(weights.dim() == 2 && weights.size(0) == 2 * edges &&
                  weights.size(1) == op_count,
              "mixing weights are ", weights.sizes(), ", expected [",
              2 * edges, ", ", op_count, "]");
  const torch::Tensor normal = weights.slice(0, 0, edges);
  const torch::Tensor reduce = weights.slice(0, edges);
  return Compute(images, [&](DartsSearchCell& cell, const torch::Tensor& s0,
                             const torch::Tensor& s1) {
    return cell->forward_mixed(s0, s1, cell->reduction() ? reduce : normal);
  });
}

}  // namespace mdenas
