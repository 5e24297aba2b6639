#include "mdenas/space/nb201/supernet.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "mdenas/space/nb201/cell.h"

namespace mdenas {
namespace {

void CheckPath(absl::Span<const int> path) {
  TORCH_CHECK(path.size() == kNb201EdgeCount, "path has ", path.size(), " entries, expected ",
              kNb201EdgeCount);
  for (const int op : path) {
    TORCH_CHECK(op >= 0 && op < kNb201OperationCount, "path holds operation index ", op,
                ", outside 0..", kNb201OperationCount - 1);
  }
}

}  // namespace

Nb201SearchCellImpl::Nb201SearchCellImpl(int64_t channels, absl::Span<const int> fixed_path)
    : edge_ops_(kNb201EdgeCount) {
  auto edges = register_module("edges", std::make_shared<torch::nn::Module>());
  for (int edge = 0; edge < kNb201EdgeCount; ++edge) {
    auto ops = edges->register_module(Nb201EdgeName(Nb201Edges()[edge]),
                                      std::make_shared<torch::nn::Module>());
    edge_ops_[edge].resize(kNb201OperationCount, nullptr);
    for (int op = 0; op < kNb201OperationCount; ++op) {
      if (!fixed_path.empty() && fixed_path[edge] != op) continue;
      edge_ops_[edge][op] = ops->register_module(
          absl::StrCat(op), Nb201EdgeOperation(op, channels, Nb201BatchNorm::kBatchStatistics));
    }
  }
}

torch::Tensor Nb201SearchCellImpl::forward(const torch::Tensor& input, absl::Span<const int> path) {
  return Nb201CellOutput(input, [&](int edge, const torch::Tensor& state) {
    Nb201EdgeOperation& op = edge_ops_[edge][path[edge]];
    TORCH_CHECK(!op.is_empty(), "operation ", path[edge], " on edge ", edge,
                " is not part of this network");
    // A zero operation adds nothing; skipping it saves its compute.
    return op->is_zero() ? torch::Tensor() : op->forward(state);
  });
}

torch::Tensor Nb201SearchCellImpl::forward_mixed(const torch::Tensor& input,
                                                 const torch::Tensor& weights) {
  return Nb201CellOutput(input, [&](int edge, const torch::Tensor& state) {
    torch::Tensor sum;
    for (int op = 0; op < kNb201OperationCount; ++op) {
      Nb201EdgeOperation& operation = edge_ops_[edge][op];
      TORCH_CHECK(!operation.is_empty(),
                  "forward_mixed needs every operation; this network was built for a "
                  "fixed path");
      if (operation->is_zero()) continue;
      torch::Tensor out = operation->forward(state) * weights[edge][op];
      sum = sum.defined() ? sum + out : out;
    }
    return sum;
  });
}

Nb201SupernetImpl::Nb201SupernetImpl(const Nb201SupernetOptions& options) {
  const std::vector<int>& fixed = options.fixed_path();
  if (!fixed.empty()) CheckPath(fixed);
  stem_ = register_module("stem", Nb201Stem(options.input_channels(), options.channels(),
                                            Nb201BatchNorm::kAffineBatchStatistics));
  cells_ = register_module("cells", torch::nn::ModuleList());
  int64_t channels = options.channels();
  for (const Nb201Layer& layer : Nb201Layers(options.channels(), options.cells_per_stage())) {
    if (layer.residual_block) {
      cells_->push_back(
          Nb201ResidualBlock(channels, layer.channels, Nb201BatchNorm::kAffineBatchStatistics));
    } else {
      cells_->push_back(Nb201SearchCell(layer.channels, fixed));
    }
    channels = layer.channels;
  }
  lastact_ = register_module("lastact",
                             Nb201LastActivation(channels, Nb201BatchNorm::kAffineBatchStatistics));
  classifier_ = register_module(
      "classifier", CountedLinear(torch::nn::LinearOptions(channels, options.num_classes())));
}

template <typename CellForward>
torch::Tensor Nb201SupernetImpl::Compute(const torch::Tensor& images, CellForward&& cell_forward) {
  torch::Tensor state = stem_->forward(images);
  for (const std::shared_ptr<torch::nn::Module>& layer : *cells_) {
    if (auto* cell = layer->as<Nb201SearchCellImpl>()) {
      state = cell_forward(*cell, state);
    } else {
      state = layer->as<Nb201ResidualBlockImpl>()->forward(state);
    }
  }
  const torch::Tensor features = lastact_->forward(state);
  return classifier_->forward(torch::adaptive_avg_pool2d(features, {1, 1}).flatten(1));
}

torch::Tensor Nb201SupernetImpl::forward(const torch::Tensor& images, absl::Span<const int> path) {
  CheckPath(path);
  return Compute(images, [&](Nb201SearchCellImpl& cell, const torch::Tensor& state) {
    return cell.forward(state, path);
  });
}

torch::Tensor Nb201SupernetImpl::forward_mixed(const torch::Tensor& images,
                                               const torch::Tensor& weights) {
  TORCH_CHECK(weights.dim() == 2 && weights.size(0) == kNb201EdgeCount &&
                  weights.size(1) == kNb201OperationCount,
              "mixing weights are ", weights.sizes(), ", expected [", kNb201EdgeCount, ", ",
              kNb201OperationCount, "]");
  return Compute(images, [&](Nb201SearchCellImpl& cell, const torch::Tensor& state) {
    return cell.forward_mixed(state, weights);
  });
}

}  // namespace mdenas
