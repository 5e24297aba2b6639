// The stand-alone networks of DARTS genotypes, for retraining and testing
// (MDENAS_SPEC.md §3): the DARTS CIFAR network (NetworkCIFAR) and the
// ImageNet transfer network (NetworkImageNet), with the auxiliary head at 2/3
// of the depth, drop-path on every non-identity operation, ramped over the
// epochs, and dropout before the classifier.

#ifndef MDENAS_SPACE_DARTS_NETWORK_H_
#define MDENAS_SPACE_DARTS_NETWORK_H_

#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/pimpl.h>

#include "absl/status/status.h"
#include "mdenas/nn/layers.h"
#include "mdenas/nn/state_dict.h"
#include "mdenas/space/darts/genotype.h"
#include "mdenas/space/darts/operations.h"
#include "mdenas/space/search_space.h"

namespace mdenas {

enum class DartsStem {
  // Conv 3x3 (3 -> 3C) + BN, at the input resolution (CIFAR).
  kCifar,
  // Two stride-2 stages down to 1/8 of the input (ImageNet, 224 -> 28).
  kImageNet,
};

struct DartsNetworkOptions {
  TORCH_ARG(DartsStem, stem) = DartsStem::kCifar;
  TORCH_ARG(int64_t, input_channels) = 3;
  TORCH_ARG(int64_t, num_classes) = 10;
  // Cells; reduction cells at layers/3 and 2*layers/3. CIFAR: 20; ImageNet: 14.
  TORCH_ARG(int64_t, layers) = 20;
  // CIFAR: 36; ImageNet: 48.
  TORCH_ARG(int64_t, init_channels) = 36;
  // The auxiliary classifier after cell 2*layers/3; its logits are computed
  // in training mode only, and weigh auxiliary_weight in the loss.
  TORCH_ARG(bool, auxiliary) = false;
  TORCH_ARG(double, auxiliary_weight) = 0.4;
  // Drop-path's probability in the last epoch; StartEpoch ramps it up
  // linearly from 0 in the first.
  TORCH_ARG(double, drop_path_prob) = 0.0;
  // Dropout on the pooled features before the classifier.
  TORCH_ARG(double, classifier_dropout) = 0.0;
  // BatchNorm after pooling operations (pt.darts; OperationOptions).
  TORCH_ARG(bool, pool_bn) = false;
  // The kernels of the cell operations (OperationOptions). Default: fast.
  TORCH_ARG(Kernels, kernels) = Kernels::kFast;
};

class DartsCellImpl : public torch::nn::Module {
 public:
  DartsCellImpl(const CellGenotype& genotype, int64_t channels_prev_prev,
               int64_t channels_prev, int64_t channels, bool reduction,
               bool reduction_prev, const OperationOptions& op_options);

  // Drop-path drops each non-identity operation's output per example with
  // probability `drop_path_prob` in training mode.
  torch::Tensor forward(const torch::Tensor& s0, const torch::Tensor& s1,
                        double drop_path_prob);

  int64_t output_channels() const;

  // Appends the cell's parameters and buffers under DARTS's names for a
  // Cell, after `prefix` ("cells.3."): preprocess0, preprocess1, _ops.<k>.
  void AppendReferenceState(const std::string& prefix, NamedTensors* state) const;

 private:
  CellGenotype genotype_;
  int64_t channels_;
  Kernels kernels_;
  Operation preprocess0_;
  ReLUConvBN preprocess1_{nullptr};
  std::vector<Operation> ops_;
};
TORCH_MODULE(DartsCell);

class DartsNetworkImpl : public Network {
 public:
  // `genotype` must be valid (ValidateGenotype) for the registered operations.
  DartsNetworkImpl(const Genotype& genotype, const DartsNetworkOptions& options);

  NetworkOutput forward(const torch::Tensor& images) override;

  // DARTS ramps drop-path linearly: 0 in the first epoch.
  void StartEpoch(int epoch, int epochs) override {
    drop_path_prob_ = options_.drop_path_prob() * (epoch - 1) / epochs;
  }

  // "CIFAR network, 20 cells x 36 channels, drop-path 0.2, auxiliary
  // weight 0.4, BN after pooling"
  std::string Description() const override;

  // DARTS's names: stem (stem0 and stem1 for ImageNet), cells.<i>,
  // auxiliary_head.features and auxiliary_head.classifier, classifier.
  NamedTensors ReferenceStateDict() const override;

  // The drop-path probability from now on.
  void set_drop_path_prob(double probability) {
    drop_path_prob_ = probability;
  }

  const DartsNetworkOptions& options() const { return options_; }

 private:
  DartsNetworkOptions options_;
  double drop_path_prob_ = 0.0;
  torch::nn::Sequential stem0_{nullptr};
  torch::nn::Sequential stem1_{nullptr};  // ImageNet only.
  std::vector<DartsCell> cells_;
  int64_t auxiliary_after_ = -1;
  torch::nn::Sequential auxiliary_head_{nullptr};
  CountedLinear auxiliary_classifier_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  CountedLinear classifier_{nullptr};
};
TORCH_MODULE(DartsNetwork);

// Whether the auxiliary head of a network of `options` fits `side` x `side`
// images: it pools the feature map after the second reduction cell with 5x5
// windows (stride 3, ImageNet 2) into at least 2x2 for its 2x2 convolution.
// CIFAR's 32x32 give it 8x8, ImageNet's 224x224 7x7; Fashion-MNIST's 28x28
// only 7x7 with the CIFAR stem, pooled to 1x1. The error says which size
// is too small and what would do.
absl::Status CheckAuxiliaryHeadFits(const DartsNetworkOptions& options, int64_t side);

// Zeroes each example of `input` with probability `drop_prob` and scales the
// rest by 1 / (1 - drop_prob) (DARTS's drop_path).
torch::Tensor DropPath(const torch::Tensor& input, double drop_prob);

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_NETWORK_H_
