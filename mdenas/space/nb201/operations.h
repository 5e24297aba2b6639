// The layers of NAS-Bench-201's networks (paper/NB201.md), shared by the
// stand-alone network and the supernet: the operation on a cell edge, the
// residual block between stages, the stem and the head. Parameter names
// follow the benchmark's code (xautodl's cell_operations.py and its
// TinyNetwork), so that weights map one to one: a ReLU-Conv-BN holds
// `op.1.weight` (the convolution) and `op.2.*` (its BatchNorm); a residual
// block `conv_a`, `conv_b` and `downsample.1.weight`; the stem `stem.0`,
// `stem.1`; the head `lastact.0` and `classifier`.
//
// Runs on ATen operators only: the fast fused cell kernels
// (kernels/fused_cell.h) have no full 3x3 convolution unit and track
// BatchNorm running statistics, which the search cells must not.

#ifndef MDENAS_SPACE_NB201_OPERATIONS_H_
#define MDENAS_SPACE_NB201_OPERATIONS_H_

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace mdenas {

// The kind of a BatchNorm.
enum class Nb201BatchNorm {
  // Affine, with running statistics: the stand-alone network.
  kAffine,
  // Neither affine parameters nor running statistics, so evaluation too
  // normalises with the batch's statistics: the benchmark's search cells,
  // whose running statistics would mix the many paths that share them.
  kBatchStatistics,
  // Affine, without running statistics: the supernet's stem, residual
  // blocks and head. Their inputs depend on the path too, so running
  // statistics would mix paths there as well; with batch statistics every
  // path is validated with its own (an implementation choice: the
  // benchmark's searches keep running statistics outside the cells).
  kAffineBatchStatistics,
};

// ReLU, a bias-free k x k convolution (padding k / 2), BatchNorm: `op.0`,
// `op.1`, `op.2`.
class Nb201ReLUConvBNImpl : public torch::nn::Module {
 public:
  Nb201ReLUConvBNImpl(int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
                      Nb201BatchNorm batch_norm);
  torch::Tensor forward(const torch::Tensor& input);

 private:
  torch::nn::Sequential op_{nullptr};
};
TORCH_MODULE(Nb201ReLUConvBN);

// The operation Nb201Operations()[op] (cell.h) on a cell edge of `channels`
// channels, stride 1: none (zeros), skip_connect (the input), nor_conv_1x1
// and nor_conv_3x3 (Nb201ReLUConvBN, its `op` this module's), avg_pool_3x3
// (stride 1, padding 1, padded cells not counted).
class Nb201EdgeOperationImpl : public torch::nn::Module {
 public:
  Nb201EdgeOperationImpl(int op, int64_t channels, Nb201BatchNorm batch_norm);
  torch::Tensor forward(const torch::Tensor& input);
  // Whether it computes zeros: a node's sum may leave it out.
  bool is_zero() const;

 private:
  int op_;
  torch::nn::Sequential conv_{nullptr};
};
TORCH_MODULE(Nb201EdgeOperation);

// The ResNet basic block of stride 2 between stages: ReLU-Conv3x3(stride
// 2)-BN (`conv_a`), ReLU-Conv3x3-BN (`conv_b`), plus the shortcut, a 2x2
// average pool (stride 2) then a bias-free 1x1 convolution (`downsample`).
class Nb201ResidualBlockImpl : public torch::nn::Module {
 public:
  Nb201ResidualBlockImpl(int64_t in_channels, int64_t out_channels, Nb201BatchNorm batch_norm);
  torch::Tensor forward(const torch::Tensor& input);

 private:
  Nb201ReLUConvBN conv_a_{nullptr};
  Nb201ReLUConvBN conv_b_{nullptr};
  torch::nn::Sequential downsample_{nullptr};
};
TORCH_MODULE(Nb201ResidualBlock);

// One layer of the stack between the stem and the head: a cell, or a
// residual block, and the channels it outputs.
struct Nb201Layer {
  bool residual_block;
  int64_t channels;
};
// The benchmark's stack: `cells_per_stage` cells at `channels`, a residual
// block to twice as many, as many cells there, another residual block,
// and the last stage's cells at four times `channels`.
std::vector<Nb201Layer> Nb201Layers(int64_t channels, int64_t cells_per_stage);

// A cell's output on `input`: node 0 is the input, node j the sum of
// edge_output(edge, node i) over its edges i -> j (edges in Nb201Edges()
// order), an undefined tensor adding nothing, zeros where nothing adds;
// the last node is the output.
torch::Tensor Nb201CellOutput(
    const torch::Tensor& input,
    const std::function<torch::Tensor(int edge, const torch::Tensor& state)>& edge_output);

// The stem: a bias-free 3x3 convolution from the images' channels to
// `channels`, BatchNorm.
torch::nn::Sequential Nb201Stem(int64_t image_channels, int64_t channels,
                                Nb201BatchNorm batch_norm);

// The head's BatchNorm and ReLU before global pooling (`lastact`).
torch::nn::Sequential Nb201LastActivation(int64_t channels, Nb201BatchNorm batch_norm);

}  // namespace mdenas

#endif  // MDENAS_SPACE_NB201_OPERATIONS_H_
