#include "mdenas/space/nb201/network.h"

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace mdenas {
namespace {

// `name` with a cell edge's `edges.<j<-i>` as InferCell's `layers.<edge index>`.
std::string ReferenceName(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '.');
  if (parts.size() > 3 && parts[0] == "cells" && parts[2] == "edges") {
    for (int edge = 0; edge < kNb201EdgeCount; ++edge) {
      if (parts[3] == Nb201EdgeName(Nb201Edges()[edge])) {
        parts[2] = "layers";
        parts[3] = absl::StrCat(edge);
      }
    }
  }
  return absl::StrJoin(parts, ".");
}

}  // namespace

Nb201NetworkCellImpl::Nb201NetworkCellImpl(const Nb201Cell& cell, int64_t channels) {
  auto edges = register_module("edges", std::make_shared<torch::nn::Module>());
  for (int edge = 0; edge < kNb201EdgeCount; ++edge) {
    edges_.push_back(edges->register_module(
        Nb201EdgeName(Nb201Edges()[edge]),
        Nb201EdgeOperation(cell.ops[edge], channels, Nb201BatchNorm::kAffine)));
  }
}

torch::Tensor Nb201NetworkCellImpl::forward(const torch::Tensor& input) {
  return Nb201CellOutput(input, [&](int edge, const torch::Tensor& state) {
    // A `none` edge adds zeros; leaving it out saves the pass.
    return edges_[edge]->is_zero() ? torch::Tensor() : edges_[edge]->forward(state);
  });
}

Nb201NetworkImpl::Nb201NetworkImpl(const Nb201Cell& cell, const Nb201NetworkOptions& options)
    : options_(options) {
  stem_ = register_module(
      "stem", Nb201Stem(options.input_channels(), options.channels(), Nb201BatchNorm::kAffine));
  cells_ = register_module("cells", torch::nn::Sequential());
  int64_t channels = options.channels();
  for (const Nb201Layer& layer : Nb201Layers(options.channels(), options.cells_per_stage())) {
    if (layer.residual_block) {
      cells_->push_back(Nb201ResidualBlock(channels, layer.channels, Nb201BatchNorm::kAffine));
    } else {
      cells_->push_back(Nb201NetworkCell(cell, layer.channels));
    }
    channels = layer.channels;
  }
  lastact_ = register_module("lastact", Nb201LastActivation(channels, Nb201BatchNorm::kAffine));
  classifier_ = register_module(
      "classifier", CountedLinear(torch::nn::LinearOptions(channels, options.num_classes())));
}

NetworkOutput Nb201NetworkImpl::forward(const torch::Tensor& images) {
  const torch::Tensor features = lastact_->forward(cells_->forward(stem_->forward(images)));
  NetworkOutput output;
  output.logits = classifier_->forward(torch::adaptive_avg_pool2d(features, {1, 1}).flatten(1));
  return output;
}

NamedTensors Nb201NetworkImpl::ReferenceStateDict() const {
  NamedTensors state = StateDict(*this);
  for (auto& [name, tensor] : state) name = ReferenceName(name);
  return state;
}

std::string Nb201NetworkImpl::Description() const {
  const int64_t c = options_.channels();
  return absl::StrCat("NAS-Bench-201 network, 3 stages x ", options_.cells_per_stage(), " cells, ",
                      c, "-", 2 * c, "-", 4 * c, " channels");
}

}  // namespace mdenas
