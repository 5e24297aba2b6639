#include "mdenas/space/darts/network.h"

#include <functional>
#include <numeric>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "mdenas/kernels/cell_joins.h"
#include "mdenas/space/darts/cell_topology.h"

namespace mdenas {
namespace {

torch::nn::BatchNorm2d BatchNorm(int64_t channels) {
  return torch::nn::BatchNorm2d(channels);
}

// ReLU, avg-pool 5x5, 1x1 conv to 128, BN, ReLU, 2x2 conv to 768 (BN), ReLU:
// DARTS's AuxiliaryHeadCIFAR (stride 3, on 8x8) and AuxiliaryHeadImageNet
// (stride 2, on 14x14; its BN after the 768 conv is left out, as in DARTS).
// The head follows this cell: the second reduction cell.
int AuxiliaryHeadCell(int layers) { return 2 * layers / 3; }
constexpr int64_t kAuxiliaryPool = 5;
int64_t AuxiliaryPoolStride(DartsStem stem) { return stem == DartsStem::kImageNet ? 2 : 3; }

torch::nn::Sequential AuxiliaryHead(int64_t channels, DartsStem stem) {
  const bool imagenet = stem == DartsStem::kImageNet;
  torch::nn::Sequential head(
      torch::nn::ReLU(),
      torch::nn::AvgPool2d(torch::nn::AvgPool2dOptions(kAuxiliaryPool)
                               .stride(AuxiliaryPoolStride(stem))
                               .padding(0)
                               .count_include_pad(false)),
      Conv(channels, 128, 1), BatchNorm(128), torch::nn::ReLU(),
      Conv(128, 768, 2));
  if (!imagenet) head->push_back(BatchNorm(768));
  head->push_back(torch::nn::ReLU());
  return head;
}

// The side of the feature map after a stride-2 stage of `side`.
int64_t Halved(int64_t side) { return (side + 1) / 2; }

// Appends `module`'s state, each name renamed by `rename` after `prefix`.
void AppendState(const torch::nn::Module& module, const std::string& prefix,
                 const std::function<std::string(const std::string&)>& rename,
                 NamedTensors* state) {
  for (auto& [name, tensor] : StateDict(module)) {
    state->emplace_back(prefix + rename(name), std::move(tensor));
  }
}

}  // namespace

torch::Tensor DropPath(const torch::Tensor& input, double drop_prob) {
  const double keep = 1.0 - drop_prob;
  const torch::Tensor mask =
      torch::empty({input.size(0), 1, 1, 1}, input.options()).bernoulli_(keep);
  return input.div(keep).mul(mask);
}

DartsCellImpl::DartsCellImpl(const CellGenotype& genotype,
                           int64_t channels_prev_prev, int64_t channels_prev,
                           int64_t channels, bool reduction,
                           bool reduction_prev,
                           const OperationOptions& op_options)
    : genotype_(genotype), channels_(channels), kernels_(op_options.kernels()) {
  preprocess0_ = register_module(
      "preprocess0",
      OlderInputPreprocessing(channels_prev_prev, channels, reduction_prev, op_options));
  preprocess1_ = register_module(
      "preprocess1", ReLUConvBN(channels_prev, channels, 1, op_options));
  for (size_t i = 0; i < genotype.edges.size(); ++i) {
    const GenotypeEdge& edge = genotype.edges[i];
    const int64_t stride = reduction && edge.input < 2 ? 2 : 1;
    ops_.push_back(register_module(
        absl::StrCat("op", i),
        MakeOperation(edge.op, channels, stride, op_options)));
  }
}

void DartsCellImpl::AppendReferenceState(const std::string& prefix, NamedTensors* state) const {
  const auto append = [&](const OperationImpl& op, const std::string& name) {
    AppendState(
        op, prefix + name + ".", [&](const std::string& own) { return op.ReferenceName(own); },
        state);
  };
  append(*preprocess0_, "preprocess0");
  append(*preprocess1_, "preprocess1");
  for (size_t k = 0; k < ops_.size(); ++k) append(*ops_[k], absl::StrCat("_ops.", k));
}

int64_t DartsCellImpl::output_channels() const {
  return channels_ * static_cast<int64_t>(genotype_.concat.size());
}

torch::Tensor DartsCellImpl::forward(const torch::Tensor& s0,
                                    const torch::Tensor& s1,
                                    double drop_path_prob) {
  std::vector<torch::Tensor> states = {preprocess0_->forward(s0),
                                       preprocess1_->forward(s1)};
  const bool drop = is_training() && drop_path_prob > 0.0;
  // Where the output concatenates every node in order (as DARTS's cells
  // do), the nodes' sums go straight into it (fast kernels).
  std::vector<int> in_order(genotype_.nodes());
  std::iota(in_order.begin(), in_order.end(), 2);
  const bool sum_into_output = genotype_.concat == in_order;
  torch::Tensor output;
  for (int node = 0; node < genotype_.nodes(); ++node) {
    std::vector<torch::Tensor> terms;
    for (int k = 2 * node; k < 2 * node + 2; ++k) {
      const Operation& op = ops_[k];
      torch::Tensor out = op->forward(states[genotype_.edges[k].input]);
      if (drop && !op->is_identity()) out = DropPath(out, drop_path_prob);
      terms.push_back(std::move(out));
    }
    if (sum_into_output && !output.defined()) {
      output = CellOutputBuffer(terms[0], genotype_.nodes(), kernels_);
    }
    states.push_back(SumInto(terms, output, node, kernels_));
  }
  std::vector<torch::Tensor> outputs;
  for (int node : genotype_.concat) outputs.push_back(states[node]);
  return ConcatChannels(outputs, kernels_);
}

DartsNetworkImpl::DartsNetworkImpl(const Genotype& genotype,
                                 const DartsNetworkOptions& options)
    : options_(options) {
  const int64_t c = options.init_channels();
  const int64_t in = options.input_channels();
  int64_t channels_prev_prev, channels_prev;
  bool reduction_prev;
  if (options.stem() == DartsStem::kCifar) {
    constexpr int64_t kStemMultiplier = 3;
    stem0_ = register_module(
        "stem0", torch::nn::Sequential(Conv(in, kStemMultiplier * c, 3, 1, 1),
                                       BatchNorm(kStemMultiplier * c)));
    channels_prev_prev = channels_prev = kStemMultiplier * c;
    reduction_prev = false;
  } else {
    stem0_ = register_module(
        "stem0",
        torch::nn::Sequential(Conv(in, c / 2, 3, 2, 1), BatchNorm(c / 2),
                              torch::nn::ReLU(), Conv(c / 2, c, 3, 2, 1),
                              BatchNorm(c)));
    stem1_ = register_module(
        "stem1", torch::nn::Sequential(torch::nn::ReLU(), Conv(c, c, 3, 2, 1),
                                       BatchNorm(c)));
    channels_prev_prev = channels_prev = c;
    reduction_prev = true;
  }
  const auto op_options = OperationOptions()
                              .affine(true)
                              .pool_bn(options.pool_bn())
                              .kernels(options.kernels());
  int64_t channels = c;
  const int layers = static_cast<int>(options.layers());
  for (int i = 0; i < layers; ++i) {
    const bool reduction = IsReductionCell(i, layers);
    if (reduction) channels *= 2;
    DartsCell cell(reduction ? genotype.reduce : genotype.normal,
                  channels_prev_prev, channels_prev, channels, reduction,
                  reduction_prev, op_options);
    cells_.push_back(register_module(absl::StrCat("cell", i), cell));
    reduction_prev = reduction;
    channels_prev_prev = channels_prev;
    channels_prev = cell->output_channels();
    if (i == AuxiliaryHeadCell(layers) && options.auxiliary()) {
      auxiliary_after_ = i;
      auxiliary_head_ = register_module(
          "auxiliary_head", AuxiliaryHead(channels_prev, options.stem()));
      auxiliary_classifier_ = register_module(
          "auxiliary_classifier",
          CountedLinear(torch::nn::LinearOptions(768, options.num_classes())));
    }
  }
  dropout_ = register_module(
      "dropout", torch::nn::Dropout(options.classifier_dropout()));
  classifier_ = register_module(
      "classifier", CountedLinear(torch::nn::LinearOptions(
                        channels_prev, options.num_classes())));
}

NetworkOutput DartsNetworkImpl::forward(const torch::Tensor& images) {
  NetworkOutput output;
  // The fast kernels work in channels-last layout; so does the stem then.
  torch::Tensor s0 = stem0_->forward(
      options_.kernels() == Kernels::kFast
          ? images.contiguous(torch::MemoryFormat::ChannelsLast)
          : images);
  torch::Tensor s1 = stem1_ ? stem1_->forward(s0) : s0;
  for (size_t i = 0; i < cells_.size(); ++i) {
    torch::Tensor next = cells_[i]->forward(s0, s1, drop_path_prob_);
    s0 = std::move(s1);
    s1 = std::move(next);
    if (static_cast<int64_t>(i) == auxiliary_after_ && is_training()) {
      output.auxiliary_logits = auxiliary_classifier_->forward(
          auxiliary_head_->forward(s1).flatten(1));
      output.auxiliary_weight = options_.auxiliary_weight();
    }
  }
  const torch::Tensor pooled =
      torch::adaptive_avg_pool2d(s1, {1, 1}).flatten(1);
  output.logits = classifier_->forward(dropout_->forward(pooled));
  return output;
}

NamedTensors DartsNetworkImpl::ReferenceStateDict() const {
  const auto same = [](const std::string& name) { return name; };
  NamedTensors state;
  AppendState(*stem0_, stem1_ ? "stem0." : "stem.", same, &state);
  if (stem1_) AppendState(*stem1_, "stem1.", same, &state);
  for (size_t i = 0; i < cells_.size(); ++i) {
    cells_[i]->AppendReferenceState(absl::StrCat("cells.", i, "."), &state);
  }
  // DARTS registers its auxiliary head after all cells.
  if (auxiliary_head_) {
    AppendState(*auxiliary_head_, "auxiliary_head.features.", same, &state);
    AppendState(*auxiliary_classifier_, "auxiliary_head.classifier.", same, &state);
  }
  AppendState(*classifier_, "classifier.", same, &state);
  return state;
}

std::string DartsNetworkImpl::Description() const {
  std::string text = absl::StrCat(options_.stem() == DartsStem::kImageNet ? "ImageNet" : "CIFAR",
                                  " network, ", options_.layers(), " cells x ",
                                  options_.init_channels(), " channels, drop-path ",
                                  options_.drop_path_prob());
  if (options_.auxiliary()) {
    absl::StrAppend(&text, ", auxiliary weight ", options_.auxiliary_weight());
  }
  if (options_.classifier_dropout() > 0) {
    absl::StrAppend(&text, ", dropout ", options_.classifier_dropout());
  }
  absl::StrAppend(&text, options_.pool_bn() ? ", BN after pooling" : "");
  return text;
}

absl::Status CheckAuxiliaryHeadFits(const DartsNetworkOptions& options, int64_t side) {
  const bool imagenet = options.stem() == DartsStem::kImageNet;
  // The ImageNet stem has three stride-2 convolutions; then the cells.
  int64_t map = imagenet ? Halved(Halved(Halved(side))) : side;
  const int layers = static_cast<int>(options.layers());
  for (int i = 0; i <= AuxiliaryHeadCell(layers) && i < layers; ++i) {
    if (IsReductionCell(i, layers)) map = Halved(map);
  }
  // Pooled to at least 2x2, the size of the head's convolution.
  const int64_t stride = AuxiliaryPoolStride(options.stem());
  const int64_t smallest = kAuxiliaryPool + stride;
  if (map >= smallest) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "field 'network.darts.auxiliary': DARTS's auxiliary head needs a feature map of at least ",
      smallest, "x", smallest, " after the second reduction cell, and ", side, "x", side,
      " images give ", map, "x", map, ": set network.darts.auxiliary=false for them"));
}

}  // namespace mdenas
