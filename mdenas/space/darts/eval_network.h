// Networks built from a genotype for retraining and testing
// (MDENAS_SPEC.md §3): the DARTS CIFAR network (NetworkCIFAR) and the
// ImageNet transfer network (NetworkImageNet), with the auxiliary head at 2/3
// of the depth, drop-path on every non-identity operation and dropout before
// the classifier.

#ifndef MDENAS_SPACE_DARTS_EVAL_NETWORK_H_
#define MDENAS_SPACE_DARTS_EVAL_NETWORK_H_

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/pimpl.h>

#include "mdenas/space/darts/genotype.h"
#include "mdenas/nn/layers.h"
#include "mdenas/space/darts/operations.h"

namespace mdenas {

enum class EvalStem {
  // Conv 3x3 (3 -> 3C) + BN, at the input resolution (CIFAR).
  kCifar,
  // Two stride-2 stages down to 1/8 of the input (ImageNet, 224 -> 28).
  kImageNet,
};

struct EvalNetworkOptions {
  TORCH_ARG(EvalStem, stem) = EvalStem::kCifar;
  TORCH_ARG(int64_t, input_channels) = 3;
  TORCH_ARG(int64_t, num_classes) = 10;
  // Cells; reduction cells at layers/3 and 2*layers/3. CIFAR: 20; ImageNet: 14.
  TORCH_ARG(int64_t, layers) = 20;
  // CIFAR: 36; ImageNet: 48.
  TORCH_ARG(int64_t, init_channels) = 36;
  // The auxiliary classifier after cell 2*layers/3; its logits are computed
  // in training mode only.
  TORCH_ARG(bool, auxiliary) = false;
  // Dropout on the pooled features before the classifier.
  TORCH_ARG(double, classifier_dropout) = 0.0;
  // BatchNorm after pooling operations (pt.darts; OperationOptions).
  TORCH_ARG(bool, pool_bn) = false;
  // The kernels of the cell operations (OperationOptions). Default: fast.
  TORCH_ARG(Kernels, kernels) = Kernels::kFast;
};

struct EvalOutput {
  torch::Tensor logits;
  // Defined only in training mode with the auxiliary head on.
  torch::Tensor auxiliary_logits;
};

class EvalCellImpl : public torch::nn::Module {
 public:
  EvalCellImpl(const CellGenotype& genotype, int64_t channels_prev_prev,
               int64_t channels_prev, int64_t channels, bool reduction,
               bool reduction_prev, const OperationOptions& op_options);

  // Drop-path drops each non-identity operation's output per example with
  // probability `drop_path_prob` in training mode.
  torch::Tensor forward(const torch::Tensor& s0, const torch::Tensor& s1,
                        double drop_path_prob);

  int64_t output_channels() const;

 private:
  CellGenotype genotype_;
  int64_t channels_;
  Kernels kernels_;
  std::shared_ptr<OperationImpl> preprocess0_;
  ReLUConvBN preprocess1_{nullptr};
  std::vector<Operation> ops_;
};
TORCH_MODULE(EvalCell);

class EvalNetworkImpl : public torch::nn::Module {
 public:
  // `genotype` must be valid (ValidateGenotype) for the registered operations.
  EvalNetworkImpl(const Genotype& genotype, const EvalNetworkOptions& options);

  EvalOutput forward(const torch::Tensor& images);

  // The drop-path probability of the current epoch (ramped by the trainer).
  void set_drop_path_prob(double probability) {
    drop_path_prob_ = probability;
  }

  const EvalNetworkOptions& options() const { return options_; }

 private:
  EvalNetworkOptions options_;
  double drop_path_prob_ = 0.0;
  torch::nn::Sequential stem0_{nullptr};
  torch::nn::Sequential stem1_{nullptr};  // ImageNet only.
  std::vector<EvalCell> cells_;
  int64_t auxiliary_after_ = -1;
  torch::nn::Sequential auxiliary_head_{nullptr};
  CountedLinear auxiliary_classifier_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
  CountedLinear classifier_{nullptr};
};
TORCH_MODULE(EvalNetwork);

// Zeroes each example of `input` with probability `drop_prob` and scales the
// rest by 1 / (1 - drop_prob) (DARTS's drop_path).
torch::Tensor DropPath(const torch::Tensor& input, double drop_prob);

// Multiply-accumulates of one evaluation-mode forward pass of `network` on a
// single image of the given size.
int64_t CountMacs(EvalNetworkImpl& network, int64_t height, int64_t width);

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_EVAL_NETWORK_H_
